import Database from 'better-sqlite3';
import { CheckpointStore } from '../event-store.port';

/**
 * Named checkpoints in the event file's own `checkpoints` table (see sqlite-schema.ts). A save is a plain
 * autocommit write on the same connection, outside the group commit of appends.
 */
export class SqliteCheckpoints implements CheckpointStore {
  private readonly loadStmt: Database.Statement<[string], { position: number } | undefined>;
  private readonly saveStmt: Database.Statement<[string, number]>;

  constructor(db: Database.Database) {
    this.loadStmt = db.prepare('SELECT position FROM checkpoints WHERE name = ?');
    this.saveStmt = db.prepare(
      'INSERT INTO checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position',
    );
  }

  async load(name: string): Promise<number | undefined> {
    return this.loadStmt.get(name)?.position;
  }

  async save(name: string, position: number): Promise<void> {
    this.saveStmt.run(name, position);
  }
}
