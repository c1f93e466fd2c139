// What jsdom lacks and Ant Design needs, and a clean page between tests.
import { afterEach } from 'vitest';
import { cleanup, configure } from '@testing-library/react';
import i18n from '../i18n';

afterEach(() => cleanup());

// findBy… and waitFor poll until their condition holds; on a loaded machine a
// form's validation can take seconds to show, so the deadline is generous
// (a passing test returns as soon as the condition holds).
configure({ asyncUtilTimeout: 15000 });

Object.defineProperty(window, 'matchMedia', {
  writable: true,
  value: (query: string) => ({
    matches: false,
    media: query,
    onchange: null,
    addListener: () => undefined,
    removeListener: () => undefined,
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
    dispatchEvent: () => false,
  }),
});
window.ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
} as unknown as typeof ResizeObserver;

// Tests start in Chinese, as a new user does.
void i18n.changeLanguage('zh-CN');
