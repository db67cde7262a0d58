import { injectable } from 'inversify';
import { GameError } from '../../../framework';

export interface Player {
  id: number;
  name: string;
  level: number;
}

/** An ordinary inversify service: controllers get it injected. */
@injectable()
export class PlayerService {
  private readonly passwords = new Map([
    ['ada', 'lovelace'],
    ['alan', 'turing'],
  ]);
  private nextId = 1;

  login(name: string, password: string): Player {
    if (this.passwords.get(name) !== password)
      throw new GameError('BAD_LOGIN', 'unknown user or wrong password');
    return { id: this.nextId++, name, level: 1 };
  }
}
