/**
 * The IGs `validate` and `serve --validate` check profiles against when none is named (`name@version`): CARIN BB 2.0.0
 * and US Core 6.1.0. In a module of its own so that `serve` names them in its help without importing the validator.
 */
export const DEFAULT_IGS = ['carin-bb@2.0.0', 'us-core@6.1.0'];
