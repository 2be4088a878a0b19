// picomatch 2 ships no types; this declares the one call tenantctl makes.
declare module 'picomatch' {
  function picomatch(glob: string | readonly string[], options?: { readonly nocase?: boolean }): (input: string) => boolean;
  export = picomatch;
}
