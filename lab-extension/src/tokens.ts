/**
 * Identifiers shared by the plugin and the panel.
 */

/** The npm name of this extension; also the prefix of every plugin id. */
export const EXTENSION_ID = 'tfx-ts-labextension';

/** The id of the deploy plugin; its settings schema is `schema/plugin.json`. */
export const PLUGIN_ID = `${EXTENSION_ID}:plugin`;

/** Command ids. */
export namespace CommandIDs {
  export const openDeployPanel = 'tfx-ts:open-deploy-panel';
}

/** The DOM id of the side panel (also used by the layout restorer). */
export const DEPLOY_PANEL_ID = 'tfx-ts-deploy-panel';
