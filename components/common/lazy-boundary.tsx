import { Component, type ReactNode } from 'react';

/**
 * Around a part loaded on use (the Range… form, a panel's options, the heatmap): if its code
 * cannot be fetched (the network dropped, or a new deploy replaced the files since the page was
 * loaded), it says so in its place, and the rest of the page goes on.
 */
export class LazyBoundary extends Component<{ what: string; children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <span className="panel-note" role="alert">
        Could not load the {this.props.what}: reload the page.
      </span>
    );
  }
}
