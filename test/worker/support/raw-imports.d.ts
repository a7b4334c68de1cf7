/** Vite's `?raw` imports: a file's text, for the hostile-input tests' fixtures. */
declare module "*?raw" {
  const text: string;
  export default text;
}
