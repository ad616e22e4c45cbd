vcl 4.1;
# Varnish in front of Sahifa, purged by surrogate key (tests/events/check.py, group `varnish`).
#
# - Anonymous GET/HEAD answers that carry `Surrogate-Key` are cached for 1 hour; the keys are
#   copied to `xkey` so vmod xkey (Debian package varnish-modules) indexes the object by them.
# - `PURGE` with a header `xkey-purge: k1 k2 ...` evicts every object tagged with any of those
#   keys (what a receiver of Sahifa's `cache.purge` webhook sends); only from `purgers`.
# - Answers carry `X-Cache: HIT|MISS` and `X-Cache-Hits: <obj.hits>`.
#
# The backend is declared in a file beside this one, `sahifa-backend.vcl`, e.g.
#     backend sahifa { .host = "127.0.0.1"; .port = "8080"; }
# (check.py writes it with the port of the Sahifa it started, and runs varnishd with
# `-p vcl_path=<its temporary directory>`). Everything else is this file, unchanged.

import xkey;

include "sahifa-backend.vcl";

acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "PURGE needs an xkey-purge header"));
        }
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.n-gone));
    }
    # The live stream (server-sent events) goes straight through, never buffered.
    if (req.url ~ "^/api/v1/stream") {
        return (pipe);
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Staff (a token) or anything with cookies sees uncached answers.
    if (req.http.Authorization || req.http.Cookie) {
        return (pass);
    }
    return (hash);
}

sub vcl_pipe {
    set bereq.http.Connection = "close";
}

sub vcl_backend_response {
    if (beresp.http.Surrogate-Key && !bereq.http.Authorization && !beresp.http.Set-Cookie
            && (beresp.status == 200 || beresp.status == 203 || beresp.status == 301
                || beresp.status == 308 || beresp.status == 404 || beresp.status == 410)) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
        # Our own TTL: the purges keep it fresh, not the backend's max-age.
        set beresp.ttl = 1h;
        # Nothing stale after a purge: no grace, no keep.
        set beresp.grace = 0s;
        set beresp.keep = 0s;
        return (deliver);
    }
    # No surrogate key: never cached (a short hit-for-miss so requests do not queue).
    set beresp.uncacheable = true;
    set beresp.ttl = 10s;
    return (deliver);
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    set resp.http.X-Cache-Hits = obj.hits;
    # The xkey copy is internal; Surrogate-Key and Cache-Tag are passed on as the backend sent them.
    unset resp.http.xkey;
}

sub vcl_synth {
    set resp.http.Content-Type = "text/plain; charset=utf-8";
    set resp.body = resp.reason + {"
"};
    return (deliver);
}
