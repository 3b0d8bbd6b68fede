import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import type { RevocationFeed } from '@ledger/revocations';

/**
 * The open SSE connections. They end before the HTTP server closes (beforeApplicationShutdown): a live stream never
 * goes idle, so the server would otherwise wait for it forever on shutdown.
 */
@Injectable()
export class RevocationStreams implements BeforeApplicationShutdown {
  private readonly open = new Set<RevocationFeed>();

  add(feed: RevocationFeed): void {
    this.open.add(feed);
  }

  async close(feed: RevocationFeed): Promise<void> {
    if (!this.open.delete(feed)) return;
    await feed.close();
  }

  count(): number {
    return this.open.size;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open].map((feed) => this.close(feed)));
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.closeAll();
  }
}
