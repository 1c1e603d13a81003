// Tailwind CSS 3 configuration for riskreg.
//
// Build (Node needed only to rebuild; the output is committed and embedded):
//   npx tailwindcss -c tailwind.config.js -i static/css/input.css -o static/css/app.css --minify
//
// Tailwind keeps only classes it finds as whole words in the content files, so
// never build class names by concatenation in templates or Go code.

const forms = require('@tailwindcss/forms');

/** @type {import('tailwindcss').Config} */
module.exports = {
  darkMode: 'class',
  content: [
    './views/**/*.templ',
    './views/**/*.go',
    './app/web/**/*.go',
    './static/js/**/*.js',
  ],
  // The component vocabulary of static/css/input.css is always emitted, even
  // before a template uses it, so template authors can rely on every class.
  safelist: [
    'btn', 'btn-primary', 'btn-secondary', 'btn-danger', 'btn-ghost', 'btn-sm',
    'input', 'select', 'textarea', 'checkbox', 'radio', 'label', 'hint', 'field-error',
    'badge', 'card', 'card-header', 'card-body', 'link',
    'table-dense', 'table-scroll', 'table-sticky-first', 'row-active',
    'htmx-indicator', 'spinner', 'skip-link', 'kbd',
  ],
  theme: {
    extend: {
      fontFamily: {
        sans: [
          'ui-sans-serif', 'system-ui', '-apple-system', '"Segoe UI"', 'Roboto',
          '"Helvetica Neue"', 'Arial', '"Noto Sans"', 'sans-serif',
          '"Apple Color Emoji"', '"Segoe UI Emoji"', '"Segoe UI Symbol"', '"Noto Color Emoji"',
        ],
        mono: [
          'ui-monospace', 'SFMono-Regular', 'Menlo', 'Monaco', 'Consolas',
          '"Liberation Mono"', '"Courier New"', 'monospace',
        ],
      },
    },
  },
  plugins: [
    // 'class': only elements with form-input, form-select, form-checkbox,
    // form-radio, form-textarea (or our .input/.select/... components) are styled.
    forms({ strategy: 'class' }),
  ],
};
