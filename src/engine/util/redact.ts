// The one redaction point: every secret the engine learns (config keys, SAS tokens, task secrets,
// passphrases) is registered here, and every log line and error message passes through redact().
const secrets = new Set<string>();
const MIN_LENGTH = 4;

export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== 'string') return;
  const v = value.trim();
  if (v.length >= MIN_LENGTH) secrets.add(v);
}

export function redact(text: string): string {
  let out = text;
  // Longest first so that a secret containing another is masked whole.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (out.includes(s)) out = out.split(s).join('****');
  }
  // Values that look like credentials even if nobody registered them.
  out = out.replace(
    /((?:AccountKey|SharedAccessSignature|sig|aws_secret_access_key|secret_access_key|password)=)[^;&\s"']+/gi,
    '$1****',
  );
  return out;
}

/** For tests only: forget registered secrets. */
export function clearSecretsForTest(): void {
  secrets.clear();
}
