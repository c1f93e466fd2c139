// A release component's human name: the ids the release files use (`os`,
// `payment-app`) are the CLI's words; people read 操作系统 / Operating system.
// An id with no name of its own is shown as it is.
import type { TFunction } from 'i18next';

export function componentName(t: TFunction, id: string): string {
  return t(`component_${id}`, { ns: 'translation', defaultValue: id });
}
