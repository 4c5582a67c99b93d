/** The colour themes a reader can pick; `system` follows the operating system's setting. */
export const THEMES = ['system', 'dark', 'light'] as const;
export type Theme = (typeof THEMES)[number];

/** Where the chosen theme is kept between visits. */
export const THEME_STORAGE_KEY = 'pulseboard-theme';

/**
 * Runs before the page paints (inlined in the document head), so a stored theme never flashes
 * the other one first: it sets `data-theme` on the root element, which the stylesheet follows.
 */
export const THEME_BOOT_SCRIPT = `try{var t=localStorage.getItem(${JSON.stringify(THEME_STORAGE_KEY)});if(t==='dark'||t==='light')document.documentElement.dataset.theme=t}catch(e){}`;
