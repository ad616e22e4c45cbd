/**
 * Smoke test of a live Sahifa server through the generated client.
 *
 *     SAHIFA_URL=http://127.0.0.1:8080 SAHIFA_EMAIL=admin@example.com SAHIFA_PASSWORD=… npm run smoke
 *
 * The account must be an admin (the identity steps create and delete a user) — or at least an
 * editor if you drop those steps. Everything the script creates carries a run id in its name
 * and is deleted again at the end, so it can be pointed at a shared deployment.
 *
 * Exits 0 when every step passed, 1 on the first mismatch (after cleaning up), 2 on bad usage.
 */
import { randomBytes } from "node:crypto";
import process from "node:process";

import { createSahifaClient, type Problem, type SahifaClient, type Schema } from "./client.js";

type TokenPair = Schema<"TokenPair">;

class SmokeFailure extends Error {}

let passed = 0;

function pass(what: string): void {
  passed += 1;
  console.log(`ok ${passed} - ${what}`);
}

function check(condition: unknown, what: string, detail?: unknown): asserts condition {
  if (!condition) {
    const extra = detail === undefined ? "" : `\n    got: ${JSON.stringify(detail)}`;
    throw new SmokeFailure(`${what}${extra}`);
  }
}

/** The `data` of an openapi-fetch result, or a failure that shows the problem document. */
function ok<T>(
  what: string,
  result: { data?: T; error?: unknown; response: Response },
  expectStatus?: number,
): T {
  const { data, error, response } = result;
  if (error !== undefined || data === undefined) {
    const problem = error as Problem | undefined;
    throw new SmokeFailure(
      `${what}: HTTP ${response.status}${problem?.detail ? ` — ${problem.detail}` : ""}` +
        (error !== undefined ? `\n    body: ${JSON.stringify(error)}` : ""),
    );
  }
  if (expectStatus !== undefined) {
    check(response.status === expectStatus, `${what}: status ${expectStatus}`, response.status);
  }
  return data;
}

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === "") {
    console.error(`smoke: set ${name} (and SAHIFA_URL, SAHIFA_EMAIL, SAHIFA_PASSWORD)`);
    process.exit(2);
  }
  return value;
}

/** Cleanup actions, run last-in first-out whatever happened. */
type Cleanup = Array<{ what: string; run: () => Promise<{ response: Response }> }>;

// ---------------------------------------------------------------------------------------------
// Identity: login, the caller, users. These operations exist today.
// ---------------------------------------------------------------------------------------------

async function login(anon: SahifaClient, email: string, password: string): Promise<TokenPair> {
  const pair = ok(
    "POST /api/v1/auth/login",
    await anon.POST("/api/v1/auth/login", { body: { email, password } }),
    200,
  );
  check(pair.access_token.length > 0, "login returns an access token");
  check(pair.token_type === "Bearer", "token_type is Bearer", pair.token_type);
  check(pair.user.email === email.toLowerCase(), "login returns the caller", pair.user.email);
  pass(`logged in as ${pair.user.email} (${pair.user.role})`);
  return pair;
}

async function identitySteps(
  api: SahifaClient,
  session: TokenPair,
  runId: string,
  cleanup: Cleanup,
): Promise<void> {
  const me = ok("GET /api/v1/auth/me", await api.GET("/api/v1/auth/me"), 200);
  check(me.id === session.user.id && me.email === session.user.email, "getMe is the caller", me);
  pass("getMe returns the logged-in user");

  const page = ok(
    "GET /api/v1/users",
    await api.GET("/api/v1/users", { params: { query: { page: 1, per_page: 100 } } }),
    200,
  );
  check(page.meta.page === 1 && page.meta.per_page === 100, "listUsers echoes page/per_page", page.meta);
  check(page.data.length <= page.meta.total, "listUsers: page no larger than total", page.meta);
  check(page.meta.total <= 100 || page.data.length === 100, "listUsers: a full first page");
  pass(`listUsers: ${page.meta.total} user(s), page 1 of ${page.meta.total_pages}`);

  const email = `smoke-${runId}@contract.test`;
  const created = await api.POST("/api/v1/users", {
    body: {
      email,
      display_name: `اختبار ${runId}`,
      role: "author",
      password: `smoke-${randomBytes(12).toString("hex")}`,
    },
  });
  const user = ok("POST /api/v1/users", created, 201);
  cleanup.push({
    what: `DELETE /api/v1/users/${user.id}`,
    run: () => api.DELETE("/api/v1/users/{id}", { params: { path: { id: user.id } } }),
  });
  check(user.email === email && user.role === "author" && user.active, "createUser echoes the user", user);
  check(created.response.headers.get("Location") !== null, "createUser sends Location");
  pass(`createUser: ${user.email} is user ${user.id}`);

  const fetched = ok(
    "GET /api/v1/users/{id}",
    await api.GET("/api/v1/users/{id}", { params: { path: { id: user.id } } }),
    200,
  );
  check(fetched.email === email, "getUser returns the new user", fetched);
  pass("getUser returns the new user");
}

// ---------------------------------------------------------------------------------------------
// Content: a section, an article published in it, and the public list showing it.
// ---------------------------------------------------------------------------------------------

async function contentSteps(
  api: SahifaClient,
  anon: SahifaClient,
  runId: string,
  cleanup: Cleanup,
): Promise<void> {
  const section = ok(
    "POST /api/v1/sections",
    await api.POST("/api/v1/sections", {
      body: { name: `اختبار العقد ${runId}`, description: "قسم مؤقت لاختبار العميل" },
    }),
    201,
  );
  cleanup.push({
    what: `DELETE /api/v1/sections/${section.id}`,
    run: () => api.DELETE("/api/v1/sections/{id}", { params: { path: { id: String(section.id) } } }),
  });
  check(section.slug.length > 0, "createSection generates a slug", section);
  pass(`createSection: "${section.name}" is section ${section.id} (${section.slug})`);

  // Created as a draft, then published: the way an editor works, and it exercises If-Match.
  const created = await api.POST("/api/v1/articles", {
    body: {
      title: `طوكيو وواشنطن تبحثان توسيع التعاون الأمني ${runId}`,
      body: "التقى وزير الدفاع الياباني **نظيره الأمريكي** على هامش قمة دولية.\n\n<script>alert(1)</script>",
      section_id: section.id,
      tags: ["اليابان", `smoke-${runId}`],
    },
  });
  const draft = ok("POST /api/v1/articles", created, 201);
  cleanup.push({
    what: `DELETE /api/v1/articles/${draft.id}`,
    run: () => api.DELETE("/api/v1/articles/{id}", { params: { path: { id: String(draft.id) } } }),
  });
  check(draft.status === "draft", "a new article is a draft", draft.status);
  check(draft.section.id === section.id, "the article is in the new section", draft.section);
  check(draft.lang === "ar" && draft.dir === "rtl", "lang defaults to ar, dir rtl", [draft.lang, draft.dir]);
  check(!draft.body_html.includes("<script"), "body_html is sanitized", draft.body_html);
  pass(`createArticle: draft ${draft.id} (${draft.slug})`);

  const hidden = await anon.GET("/api/v1/articles/{id}", { params: { path: { id: draft.slug } } });
  check(hidden.response.status === 404, "anonymous readers get 404 for a draft", hidden.response.status);
  pass("a draft is invisible to anonymous readers");

  const etag = created.response.headers.get("ETag");
  check(etag !== null, "createArticle sends an ETag");
  const published = ok(
    "PATCH /api/v1/articles/{id}",
    await api.PATCH("/api/v1/articles/{id}", {
      params: { path: { id: String(draft.id) }, header: { "If-Match": etag } },
      body: { status: "published" },
    }),
    200,
  );
  check(published.status === "published", "the article is published", published.status);
  check(published.published_at != null, "publishing sets published_at", published.published_at);
  pass(`updateArticle: article ${published.id} published at ${published.published_at}`);

  const list = ok(
    "GET /api/v1/articles",
    await anon.GET("/api/v1/articles", {
      params: { query: { section: section.slug, per_page: 100 } },
    }),
    200,
  );
  const listed = list.data.find((a) => a.id === published.id);
  check(listed !== undefined, "the new article is in the public list of its section", list.data.map((a) => a.id));
  check(listed.status === "published" && listed.slug === published.slug, "the listed article matches", listed);
  check(list.data.every((a) => a.status === "published"), "anonymous lists show only published articles");
  pass(`listArticles (anonymous): the article is listed among ${list.meta.total} in its section`);

  const read = ok(
    "GET /api/v1/articles/{id}",
    await anon.GET("/api/v1/articles/{id}", { params: { path: { id: published.slug } } }),
    200,
  );
  check(read.id === published.id && read.body === published.body, "getArticle by slug returns it", read.id);
  pass("getArticle (anonymous, by its Unicode slug) returns the article");

  await commentSteps(api, anon, published, runId, cleanup);
}

// ---------------------------------------------------------------------------------------------
// Comments: a reader comments, an editor approves, readers see it (without the email).
// ---------------------------------------------------------------------------------------------

async function commentSteps(
  api: SahifaClient,
  anon: SahifaClient,
  article: Schema<"Article">,
  runId: string,
  cleanup: Cleanup,
): Promise<void> {
  const path = { id: article.slug };
  const email = `reader-${runId}@contract.test`;
  const receipt = ok(
    "POST /api/v1/articles/{id}/comments",
    await anon.POST("/api/v1/articles/{id}/comments", {
      params: { path },
      body: { author_name: "سارة", author_email: email, body: `تحليل ممتاز، شكراً للكاتب. ${runId}` },
    }),
    202,
  );
  cleanup.push({
    what: `DELETE /api/v1/comments/${receipt.id}`,
    run: () => api.DELETE("/api/v1/comments/{id}", { params: { path: { id: receipt.id } } }),
  });
  check(receipt.status === "pending", "a new comment is pending", receipt);
  pass(`createComment (anonymous): comment ${receipt.id} is pending`);

  const before = ok(
    "GET /api/v1/articles/{id}/comments",
    await anon.GET("/api/v1/articles/{id}/comments", { params: { path, query: { per_page: 100 } } }),
    200,
  );
  check(!before.data.some((c) => c.id === receipt.id), "a pending comment is not public", before.data);
  pass("a pending comment is not listed for readers");

  const approved = ok(
    "PATCH /api/v1/comments/{id}",
    await api.PATCH("/api/v1/comments/{id}", {
      params: { path: { id: receipt.id } },
      body: { status: "approved" },
    }),
    200,
  );
  check(approved.status === "approved" && approved.author_email === email, "moderateComment approves", approved);
  check(approved.article.id === article.id, "the comment belongs to the article", approved.article);
  pass(`moderateComment: comment ${receipt.id} approved`);

  const after = ok(
    "GET /api/v1/articles/{id}/comments",
    await anon.GET("/api/v1/articles/{id}/comments", { params: { path, query: { per_page: 100 } } }),
    200,
  );
  const shown = after.data.find((c) => c.id === receipt.id);
  check(shown !== undefined, "an approved comment is public", after.data.map((c) => c.id));
  check(!JSON.stringify(after).includes(email), "the commenter's email is never public", shown);
  pass("listArticleComments (anonymous): the approved comment is listed, without the email");

  const counted = ok(
    "GET /api/v1/articles/{id}",
    await anon.GET("/api/v1/articles/{id}", { params: { path } }),
    200,
  );
  check(counted.comment_count === 1, "comment_count counts the approved comment", counted.comment_count);
  pass("getArticle: comment_count is 1");
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const url = env("SAHIFA_URL");
  const email = env("SAHIFA_EMAIL");
  const password = env("SAHIFA_PASSWORD");
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString("hex")}`;

  const anon = createSahifaClient(url);
  const cleanup: Cleanup = [];
  let failed = 0;
  try {
    const session = await login(anon, email, password);
    const api = createSahifaClient(url, session.access_token);
    await identitySteps(api, session, runId, cleanup);
    await contentSteps(api, anon, runId, cleanup);
  } catch (err) {
    failed = 1;
    if (err instanceof SmokeFailure) {
      console.log(`not ok ${passed + 1} - ${err.message}`);
    } else {
      const cause = err instanceof Error && err.cause !== undefined ? `\n    cause: ${String(err.cause)}` : "";
      console.log(`not ok ${passed + 1} - unexpected error: ${err instanceof Error ? err.stack : String(err)}${cause}`);
    }
  } finally {
    for (const step of cleanup.reverse()) {
      try {
        const { response } = await step.run();
        if (response.status !== 204) {
          console.log(`# cleanup: ${step.what} answered ${response.status}`);
          failed = 1;
        }
      } catch (err) {
        console.log(`# cleanup: ${step.what} failed: ${String(err)}`);
        failed = 1;
      }
    }
  }
  console.log(`smoke: ${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
