/**
 * The kernel↔lab contract (bridge methods, options, results, marker, error codes, auth modes, MIME
 * types, view-model payloads) comes from the one module the kernel imports too: src/protocol in
 * the tfx-ts package, compiled into this extension. Nothing of it is copied here.
 */
export * from '../../src/protocol';
