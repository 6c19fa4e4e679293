/** The page's one stylesheet: system fonts, a grid of charts that collapses to one column, tables that scroll sideways. */
export const STYLE = `
:root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --accent: #4269d0; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
header, main, footer { max-width: 1200px; margin: 0 auto; padding: 0 16px; }
header { padding-top: 16px; border-bottom: 1px solid var(--line); }
h1 { font-size: 1.4rem; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 1.2rem; margin: 28px 0 8px; padding-top: 8px; border-top: 1px solid var(--line); }
h3 { font-size: 1rem; margin: 16px 0 6px; }
h3 small { color: var(--muted); font-weight: normal; }
nav { display: flex; flex-wrap: wrap; gap: 4px 16px; padding: 6px 0 10px; }
nav a { color: var(--accent); text-decoration: none; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 480px), 1fr)); gap: 16px; }
figure { margin: 0; padding: 10px; border: 1px solid var(--line); border-radius: 6px; min-width: 0; }
figcaption { display: flex; flex-direction: column; margin-bottom: 6px; }
figcaption span { color: var(--muted); font-size: 0.85rem; }
figure svg { max-width: 100%; height: auto; }
figure figure { border: none; padding: 0; }
.scroll { overflow-x: auto; margin: 10px 0; }
table { border-collapse: collapse; font-size: 0.85rem; min-width: 100%; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f6f8fa; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td code { font-size: 0.8rem; overflow-wrap: anywhere; }
.codes td code { white-space: nowrap; overflow-wrap: normal; }
.codes { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 360px), 1fr)); gap: 0 16px; }
.badge { display: inline-block; padding: 0 6px; border-radius: 8px; color: #fff; font-size: 0.8rem; }
.badge.pass { background: #1b7f3b; } .badge.fail { background: #c0392b; } .badge.na { background: #8c959f; } .badge.small { background: #b8860b; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 0.85rem; color: var(--muted); }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 4px; }
.legend i.band { width: 18px; border-radius: 2px; background: #d5d9e0; }
.empty, .ok { color: var(--muted); } .bad { color: #c0392b; }
footer { color: var(--muted); font-size: 0.8rem; padding: 24px 16px; }
`;
