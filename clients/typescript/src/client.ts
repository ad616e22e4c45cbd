/**
 * A typed client for the Sahifa HTTP API.
 *
 * The types come from `src/schema.d.ts`, which `npm run generate` writes from
 * `openapi/openapi.json` (it is generated, not committed: a change to the contract that breaks
 * a caller breaks `npm run typecheck`).
 *
 *     const api = createSahifaClient("https://cms.example.com", token);
 *     const { data, error } = await api.GET("/api/v1/articles/{id}", {
 *       params: { path: { id: "some-slug" } },
 *     });
 */
import createClient, { type Client } from "openapi-fetch";

import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths };

/** Schemas of the API by name, e.g. `Schema<"Article">`. */
export type Schema<Name extends keyof components["schemas"]> = components["schemas"][Name];

/** An RFC 9457 problem document, the body of every error response. */
export type Problem = Schema<"Problem">;

export type SahifaClient = Client<paths>;

/**
 * A client for the server at `baseUrl` (scheme, host and port, e.g. `http://127.0.0.1:8080`;
 * the paths already start with `/api/v1`). With `token`, every request carries
 * `Authorization: Bearer <token>`; without it the client is anonymous.
 */
export function createSahifaClient(baseUrl: string, token?: string): SahifaClient {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (token !== undefined && token !== "") {
    headers.Authorization = `Bearer ${token}`;
  }
  return createClient<paths>({ baseUrl: baseUrl.replace(/\/+$/, ""), headers });
}
