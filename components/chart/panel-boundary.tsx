import { Component, type ErrorInfo, type ReactNode } from 'react';

interface PanelBoundaryProps {
  title: string;
  children: ReactNode;
}

/**
 * Keeps a failure where it happens: a chart that throws while rendering shows what went wrong in
 * its own place, with a retry, and the rest of the dashboard carries on.
 */
export class PanelBoundary extends Component<PanelBoundaryProps, { error: Error | null }> {
  override state = { error: null as Error | null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error(`[pulseboard] chart "${this.props.title}" failed`, error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <section className="panel panel-error" role="alert">
        <h2>{this.props.title}</h2>
        <p>This chart could not be drawn: {this.state.error.message}</p>
        <button type="button" className="control" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </section>
    );
  }
}
