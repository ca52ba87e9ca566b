// The person's data is theirs: as soon as the certificate box holds something other
// than a sample, the sample menu says "Your certificate" (not the sample it started
// from), and a bundle whose content is the person's is named after its CA unless the
// person named it.
import { bundles as sampleBundles, certs as sampleCerts } from "mtlsplay:samples";
import type { BundleView } from "./types";

const OWN = "own";

// syncSampleMenu selects the sample the text is, or "Your certificate". Samples may
// share a certificate (SPIFFE ID and Email SAN are the good client's, each with its
// own rule): the one picked stays picked while the text is its certificate.
export function syncSampleMenu(select: HTMLSelectElement, help: HTMLElement, text: string): void {
  const sample = sampleCerts.find((s) => s.id === select.value && s.pem === text) ?? sampleCerts.find((s) => s.pem === text);
  let own = select.querySelector<HTMLOptionElement>(`option[value="${OWN}"]`);
  if (sample) {
    if (select.value !== sample.id) select.value = sample.id;
    help.textContent = sample.description;
    if (own) own.hidden = true;
    return;
  }
  if (!own) {
    own = document.createElement("option");
    own.value = OWN;
    own.textContent = "Your certificate";
    select.prepend(own);
  }
  own.hidden = false;
  select.value = OWN;
  help.textContent = text.trim()
    ? "Your own certificate: it is read and decided in this page only; pick a sample to start again from one."
    : "No certificate: the decision is 4017. Paste one, open a file, or pick a sample.";
}

// A bundle's name is the page's to change while it is empty, "bundle N", or a
// sample's name over content that is not that sample's.
function givenByPage(name: string, pem: string): boolean {
  const n = name.trim();
  if (n === "" || /^bundle \d+$/.test(n)) return true;
  const sample = sampleBundles.find((b) => b.name === n);
  return sample !== undefined && sample.pem !== pem;
}

// nameOf is what a bundle holding these certificates is called: the CN (else the
// whole subject) of its first CA certificate, "+ N more" when it holds others.
export function nameOf(v: BundleView): string | null {
  const certs = v.certificates ?? [];
  const first = certs.find((c) => c.is_ca) ?? certs[0];
  if (!first) return null;
  const base = first.cn || first.subject;
  return certs.length > 1 ? `${base} + ${certs.length - 1} more` : base;
}

// renameBundles names each bundle the page named after its content; it reports
// whether a name changed (the decision quotes the names, so it is made again).
export function renameBundles(boxes: HTMLElement[], views: (BundleView | undefined)[]): boolean {
  let changed = false;
  boxes.forEach((box, i) => {
    const input = box.querySelector<HTMLInputElement>(".bundle-name");
    const pem = box.querySelector<HTMLTextAreaElement>("textarea")?.value ?? "";
    const v = views[i];
    if (!input || !v || input.dataset.named === "1" || !pem.trim() || !givenByPage(input.value, pem)) return;
    const name = nameOf(v);
    if (name && name !== input.value) {
      input.value = name;
      changed = true;
    }
  });
  return changed;
}
