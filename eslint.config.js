// @ts-check
import tseslint from 'typescript-eslint';
import path from 'node:path';

/**
 * The layering rule (VS Code's idea at our scale): a file's folder says what it may import. Data flows
 * archive → detect → parsers → store → analysis → api → shells; nothing imports "upstream" of itself, and only
 * the Electron shell and preload may import `electron`. docs/ARCHITECTURE.md explains each layer.
 */
const LAYERS = {
  'src-main/core/common': [],
  'src-main/core/model': ['src-main/core/common'],
  'src-main/core/archive': ['src-main/core/common', 'src-main/core/model'],
  'src-main/core/detect': ['src-main/core/common', 'src-main/core/model'],
  'src-main/core/parsers': ['src-main/core/common', 'src-main/core/model'],
  'src-main/core/store': ['src-main/core/common', 'src-main/core/model'],
  'src-main/core/analysis': ['src-main/core/common', 'src-main/core/model', 'src-main/core/store'],
  'src-main/core/report': ['src-main/core/common', 'src-main/core/model', 'src-main/core/store', 'src-main/core/analysis'],
  'src-main/core/ingest': [
    'src-main/core/common', 'src-main/core/model', 'src-main/core/archive', 'src-main/core/detect',
    'src-main/core/parsers', 'src-main/core/store', 'src-main/core/analysis',
  ],
  'src-main/core/api': ['src-main/core'],
  'src-main/cli': ['src-main/core/api', 'src-main/core/common', 'src-main/core/model', 'src-main/server'],
  'src-main/server': ['src-main/core/api', 'src-main/core/common', 'src-main/core/model'],
  'src-main/electron': ['src-main/core/api', 'src-main/core/common', 'src-main/core/model', 'src-main/server'],
  'src-main/preload': ['src-main/core/api/contract', 'src-main/electron/ipc'],
  'src-renderer': ['src-main/core/api/contract'],
};
const ELECTRON_ALLOWED = ['src-main/electron', 'src-main/preload'];
const root = path.dirname(new URL(import.meta.url).pathname);

/** @param {string} file */
function layerOf(file) {
  const rel = path.relative(root, file).split(path.sep).join('/');
  return Object.keys(LAYERS)
    .filter((layer) => rel === layer || rel.startsWith(`${layer}/`))
    .sort((a, b) => b.length - a.length)[0];
}

const layering = {
  meta: { type: 'problem', messages: { bad: 'Bad layering: {{from}} may not import {{to}} (see docs/ARCHITECTURE.md)' }, schema: [] },
  /** @param {import('eslint').Rule.RuleContext} context */
  create(context) {
    const from = layerOf(context.filename);
    if (from === undefined) return {};
    /** @param {any} node */
    const check = (node) => {
      const spec = node.source?.value;
      if (typeof spec !== 'string') return;
      if (spec === 'electron' || spec.startsWith('electron/')) {
        if (!ELECTRON_ALLOWED.includes(from)) context.report({ node, messageId: 'bad', data: { from, to: 'electron' } });
        return;
      }
      if (from === 'src-renderer' && spec.startsWith('node:')) {
        context.report({ node, messageId: 'bad', data: { from, to: spec } });
        return;
      }
      if (!spec.startsWith('.')) return;
      const target = path.resolve(path.dirname(context.filename), spec);
      const to = layerOf(target);
      if (to === undefined || to === from) return;
      const rel = path.relative(root, target).split(path.sep).join('/').replace(/\.(js|ts)$/, '');
      const allowed = LAYERS[/** @type {keyof typeof LAYERS} */ (from)].some((a) => rel === a || rel.startsWith(`${a}/`));
      if (!allowed) context.report({ node, messageId: 'bad', data: { from, to } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '**/.bench/**', '**/*.svelte', 'src-main/native/*/build/**'] },
  ...tseslint.configs.recommended,
  {
    plugins: { local: { rules: { layering } } },
    rules: {
      'local/layering': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src-main/core/**/*.ts'],
    rules: { 'no-restricted-globals': ['error', '__dirname', '__filename', 'require'] },
  },
  {
    // A native addon's package entry is CommonJS: `require` is the only way to load a .node file.
    files: ['src-main/native/*/index.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
