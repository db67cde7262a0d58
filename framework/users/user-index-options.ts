/** `GameServer({ users })`: the user index's schema. */
import { callback, either, oneOf, options, satisfying } from '../options/rules';
import type { UserDirectory } from './user-directory';
import type { SecondLoginPolicy, UserIndexOptions } from './user-index';

export const userIndexOptionsSchema = options(
  {
    idOf: callback<UserIndexOptions['idOf']>('a function idOf(user)'),
    secondLogin: either(
      oneOf(['takeover', 'refuse']),
      callback<Exclude<SecondLoginPolicy, string>>(),
      'must be "takeover", "refuse" or a function',
    ).optional(),
    directory: satisfying<UserDirectory>(
      (value) => typeof value === 'object' && value !== null,
      'a UserDirectory',
    ).optional(),
  },
  'must be { idOf(user), secondLogin?, directory? }',
);
