import { defineConfig, type MarkdownRenderer } from 'vitepress';

/**
 * Links written so that they work on GitHub, mapped to where the built site has them: files under
 * docs/public/ are served from the site's root, and the root CHANGELOG.md is included by changelog.md.
 */
const SITE_TARGETS: readonly (readonly [prefix: string, replacement: string])[] = [
  ['./public/', '/'],
  ['../CHANGELOG.md', './changelog.md'],
];

function siteTarget(target: string): string {
  for (const [prefix, replacement] of SITE_TARGETS) {
    if (target.startsWith(prefix)) return replacement + target.slice(prefix.length);
  }
  return target;
}

/** Rewrites link targets and image sources before VitePress renders them (and checks for dead links). */
function githubLinks(md: MarkdownRenderer): void {
  md.core.ruler.push('github-links', (state) => {
    for (const block of state.tokens) {
      for (const token of block.children ?? []) {
        const attribute = token.type === 'link_open' ? 'href' : token.type === 'image' ? 'src' : null;
        const value = attribute === null ? null : token.attrGet(attribute);
        if (attribute !== null && value !== null) token.attrSet(attribute, siteTarget(value));
      }
    }
  });
}

type Sidebar = { text: string; items: { text: string; link: string }[] }[];

function sidebar(sections: Readonly<Record<string, Readonly<Record<string, string>>>>): Sidebar {
  return Object.entries(sections).map(([text, pages]) => ({
    text,
    items: Object.entries(pages).map(([page, link]) => ({ text: page, link })),
  }));
}

export default defineConfig({
  title: 'crypto-forecast',
  description:
    'Hourly crypto forecasting in TypeScript: an LSTM trained on AWS Batch, exported to ONNX, a calibrated distribution of the next close served by Lambda, deployed by CDK.',
  cleanUrls: true,
  lastUpdated: false,
  markdown: { config: githubLinks },
  themeConfig: {
    search: { provider: 'local' },
    outline: [2, 3],
    nav: [
      { text: 'Getting started', link: '/getting-started' },
      { text: 'API', link: '/api' },
      { text: 'Changelog', link: '/changelog' },
    ],
    // Section -> page title -> path, in reading order.
    sidebar: sidebar({
      Start: {
        Overview: '/',
        'Getting started': '/getting-started',
        'Local stack and dashboard': '/local-stack',
        'The demo market': '/demo-market',
      },
      Design: { Architecture: '/architecture', 'The forecast': '/forecast', 'Market data': '/market-data' },
      Reference: { Configuration: '/configuration', API: '/api' },
      AWS: {
        'Training image': '/training-image',
        Deploying: '/deploying',
        Operating: '/operating',
        Security: '/security',
      },
      Project: { Benchmarks: '/benchmarks', Development: '/development', Changelog: '/changelog' },
    }),
  },
});
