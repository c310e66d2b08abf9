/**
 * The AWS SDK prints a 9-line NodeVersionSupportWarning on Node < 22 (SDK releases after January
 * 2027 will need Node 22) once per process, which is every `sky` command on Node 20. The README's
 * Node section says it once; commands keep every other warning. A user who set the variable keeps
 * their choice.
 */
export function quietNodeVersionWarning(env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
