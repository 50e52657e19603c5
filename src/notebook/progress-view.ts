import type { LaunchResult } from '../orchestration/launcher';
import { escapeHtml } from '../visualize/registry';

export function progressHtml(componentId: string, fraction: number, message?: string): string {
  const pct = Math.round(fraction * 100);
  return `<div class="tfx-ts-progress" style="font-family:var(--jp-ui-font-family,sans-serif);font-size:13px">
<b>${escapeHtml(componentId)}</b> <span style="opacity:.8">${escapeHtml(message ?? '')}</span>
<div style="margin-top:4px;width:320px;height:8px;border-radius:4px;background:rgba(128,128,128,.25)"><div style="width:${pct}%;height:8px;border-radius:4px;background:#1976d2"></div></div>
<span style="font-size:11px;opacity:.7">${pct}%</span></div>`;
}

export function resultHtml(result: LaunchResult): string {
  const color = result.state === 'CACHED' ? '#6a1b9a' : '#2e7d32';
  const rows = Object.entries(result.outputs)
    .flatMap(([key, list]) =>
      list.map(
        (a) =>
          `<tr><td style="padding:2px 8px">${escapeHtml(key)}</td><td style="padding:2px 8px">${escapeHtml(a.type.name)}</td><td style="padding:2px 8px">${a.id}</td><td style="padding:2px 8px"><code>${escapeHtml(a.uri)}</code></td></tr>`,
      ),
    )
    .join('');
  return `<div class="tfx-ts-result" style="font-family:var(--jp-ui-font-family,sans-serif);font-size:13px">
<b>${escapeHtml(result.componentId)}</b> · execution ${result.executionId} · <span style="color:${color};font-weight:bold">${result.state}</span>${result.cachedFrom ? ` (outputs of execution ${result.cachedFrom})` : ''} · ${(result.durationMs / 1000).toFixed(2)} s
<table style="margin-top:4px;border-collapse:collapse"><thead><tr><th style="text-align:left;padding:2px 8px">output</th><th style="text-align:left;padding:2px 8px">type</th><th style="text-align:left;padding:2px 8px">artifact</th><th style="text-align:left;padding:2px 8px">uri</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

export function resultText(result: LaunchResult): string {
  const outputs = Object.entries(result.outputs)
    .flatMap(([key, list]) => list.map((a) => `  ${key}: ${a.type.name} #${a.id} ${a.uri}`))
    .join('\n');
  return `${result.componentId}: execution ${result.executionId} ${result.state}${result.cachedFrom ? ` (reused execution ${result.cachedFrom})` : ''} in ${(result.durationMs / 1000).toFixed(2)} s\n${outputs}`;
}
