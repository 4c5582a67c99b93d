/** A GET form's hidden fields carrying the view's other parameters (`query`, a query string), all but `omit`. */
export function HiddenFields({ query, omit }: { query: string; omit?: string }) {
  return (
    <>
      {[...new URLSearchParams(query)]
        .filter(([name]) => name !== omit)
        .map(([name, value], i) => (
          <input key={`${name}-${i}`} type="hidden" name={name} value={value} />
        ))}
    </>
  );
}
