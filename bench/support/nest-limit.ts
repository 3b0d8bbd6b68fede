import { Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AddressInfo } from 'node:net';
import { strictValidationPipe } from '../../apps/ledger/src/http/validation';
import { serveParent } from './limit-process';

/**
 * A limit that is a Nest app of one controller on the ledger's Fastify adapter and validation pipe, with no logger:
 * the trivial route and the storage floor. Tells the parent its URL, and answers its requests with `handle`.
 */
export function serveNestLimit(name: string, controller: Type<unknown>, handle?: (message: Record<string, unknown>) => unknown): void {
  @Module({ controllers: [controller] })
  class LimitModule {}

  const main = async () => {
    const app = await NestFactory.create<NestFastifyApplication>(LimitModule, new FastifyAdapter(), { logger: false });
    app.useGlobalPipes(strictValidationPipe());
    await app.listen(0, '127.0.0.1');
    serveParent({ url: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}` }, handle);
  };
  main().catch((error) => {
    process.stderr.write(`${name} failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
