// Virtual modules that web/build provides at bundle time.

declare module "go:wasm_exec" {}

declare module "mtlsplay:samples" {
  export interface SampleCert {
    id: string;
    label: string;
    description: string;
    pem: string;
    rule?: string;
  }
  export interface SampleBundle {
    id: string;
    label: string;
    name: string;
    pem: string;
  }
  export const certs: SampleCert[];
  export const bundles: SampleBundle[];
  export const defaultRule: string;
  /** The sample PKI's clock (RFC 3339): the samples show their cases at this time. */
  export const at: string;
}
