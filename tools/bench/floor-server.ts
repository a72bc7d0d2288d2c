/**
 * A floor for bench:api (`--floors`): the cheapest server built from one of the API's own
 * layers answering the benchmark's query, so the API's cost per request can be split into
 * what the layer costs at the least and what netpin adds. KIND=express: Express 5 with its
 * JSON body parser answering the same body; KIND=apollo: Express 5 + Apollo Server 5 (as the
 * API mounts it) executing the same query over an in-memory schema of the same hosts.
 * Started by tools/bench/api-floors.ts with BODY (the API's answer) and PORT.
 */
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';

const TYPE_DEFS = `
  type Host { id: ID! name: String! state: String! address: String! }
  type HostConnection { nodes: [Host!]! }
  type Query { hosts(first: Int): HostConnection! }
`;

async function main(): Promise<void> {
  const body = process.env.BODY ?? '';
  const app = express();
  app.get('/readyz', (_req, res) => void res.send('ok'));
  if (process.env.KIND === 'apollo') {
    const hosts = (JSON.parse(body) as { data: { hosts: { nodes: unknown[] } } }).data.hosts.nodes;
    const server = new ApolloServer({
      typeDefs: TYPE_DEFS,
      resolvers: { Query: { hosts: () => ({ nodes: hosts }) } },
      plugins: [ApolloServerPluginCacheControlDisabled()],
    });
    await server.start();
    app.use('/graphql', express.json(), expressMiddleware(server));
  } else {
    app.post('/graphql', express.json(), (_req, res) => void res.type('application/json').send(body));
  }
  app.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
}

void main();
