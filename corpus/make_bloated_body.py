"""Regenerate bad/bloated-body/SKILL.md (a skill whose body is mostly background prose).

Run: python corpus/make_bloated_body.py
"""
import textwrap
from pathlib import Path

OUT = Path(__file__).resolve().parent / "bad" / "bloated-body" / "SKILL.md"


def para(text: str) -> str:
    return textwrap.fill(" ".join(text.split()), width=88)


HEAD = """---
name: bloated-body
description: Sets Cache-Control, ETag and Vary headers for web pages, static assets and JSON APIs so browsers and CDNs cache correctly. Use when configuring HTTP caching, fixing stale content after a deploy, or reviewing CDN cache hit rates.
---

# HTTP caching headers

## Steps

1. Give fingerprinted static assets `Cache-Control: public, max-age=31536000, immutable`.
2. Give HTML documents `Cache-Control: no-cache` and an `ETag`, so every visit revalidates.
3. Give personalised API responses `Cache-Control: private, no-store` unless they are safe to reuse.
4. Add `Vary` for every request header that changes the response body.
"""

HISTORY = [
    ("1991", "the first HTTP, later called HTTP/0.9,", "had no headers at all, so there was nothing a cache could read and nothing a server could say about freshness"),
    ("1995", "the Harvest object cache, a research project at the University of Colorado,", "showed that hierarchies of cooperating proxies could cut wide-area traffic, and its code base became the starting point for Squid"),
    ("1996", "RFC 1945, which documented HTTP/1.0,", "introduced `Expires`, `Last-Modified`, `If-Modified-Since` and the `Pragma: no-cache` request header, the first vocabulary for caching"),
    ("1997", "RFC 2068, the first definition of HTTP/1.1,", "added the `Cache-Control` header with relative lifetimes, which avoided the clock-skew problems of absolute `Expires` dates"),
    ("1998", "the newly founded Akamai", "turned shared caching from a feature of corporate proxies into a commercial service spread over thousands of edge servers"),
    ("1999", "RFC 2616, the revised HTTP/1.1,", "became the reference most servers were written against for fifteen years, including its long and famously dense chapter 13 on caching"),
    ("the early 2000s", "forward proxies such as Squid", "were deployed by universities and internet providers to save transit costs, and many of them ignored or rewrote freshness headers"),
    ("2007", "the YSlow guidelines from Yahoo", "popularised far-future expiry for static files and the practice of renaming files when their content changes"),
    ("2010", "Google's PageSpeed tool", "listed static resources with short lifetimes under the heading \"Leverage browser caching\", and a generation of web developers learned the header names from those reports"),
    ("2010", "RFC 5861", "proposed stale-while-revalidate and stale-if-error, giving caches permission to serve slightly old content while refreshing in the background or while the origin is down"),
    ("2014", "RFC 7234, which split caching out of the HTTP/1.1 specification,", "clarified heuristic freshness, the handling of `no-cache`, and the rules for storing responses to authenticated requests"),
    ("2015", "HTTP/2, published as RFC 7540,", "changed the economics of bundling assets but left the caching model itself untouched"),
    ("2015", "service workers, shipped in Chrome 40,", "added the Cache Storage API, a programmable cache that sits beside the HTTP cache and follows none of its freshness rules"),
    ("2016", "Chrome 54", "changed reloads to revalidate only the main document instead of every subresource, which removed most of the conditional requests that reloads used to cause"),
    ("2017", "engineers at Facebook and Mozilla", "measured large drops in revalidation requests when browsers stopped re-checking fingerprinted files on reload, the experiment behind the immutable directive"),
    ("2017", "RFC 8246", "standardised immutable, although Chrome had already changed its reload behaviour instead of implementing the directive"),
    ("2020", "Chrome 86", "turned on cache partitioning by default, keying every stored response by the top-level site and the frame site, and ended the idea that a popular CDN-hosted library would already be cached from another site"),
    ("2022", "RFC 9111, which replaced RFC 7234,", "became the current definition of HTTP caching, with tidier terminology and the new `must-understand` directive"),
    ("2022", "RFC 9213", "defined targeted cache control and introduced `CDN-Cache-Control`, a header that applies only to CDNs and lets origins set different lifetimes for edges and browsers"),
]

HISTORY_FORMS = [
    "In {year}, {who} {what}.",
    "Then, in {year}, {who} {what}.",
    "The next step came in {year}: {who} {what}.",
    "By {year}, {who} {what}.",
    "Around {year}, {who} {what}.",
]

HISTORY_TAILS = [
    "Operators who lived through that period still remember how unpredictable the results were across vendors.",
    "Much of the folklore about caching that circulates today dates from this time.",
    "Several of the defaults that servers ship with were chosen to be compatible with this change.",
    "The change took years to reach every browser and proxy in use.",
    "Documentation written before this point is often misleading when read today.",
]

DIRECTIVES = [
    ("max-age", "response", "sets how many seconds a response stays fresh after it was generated", "Age is measured from the origin's response time, so a CDN that held the object for a while hands it to the browser with less freshness left", "max-age=600"),
    ("s-maxage", "response", "overrides max-age for shared caches only, such as CDNs and reverse proxies", "Browsers ignore it completely, which makes it the simplest way to cache at the edge for longer than in the browser", "public, max-age=60, s-maxage=3600"),
    ("no-cache", "both", "allows storing but requires revalidation with the origin before every reuse", "The name misleads many developers into thinking it forbids caching, when it is in fact the right choice for HTML documents", "no-cache"),
    ("no-store", "both", "forbids storing the response in any cache, private or shared", "It also disables the browser's back-forward cache in some engines, which makes navigation noticeably slower", "no-store"),
    ("private", "response", "limits storage to the user's own browser cache", "Shared caches must not store it, which protects personalised pages, although some misconfigured CDNs have ignored it in the past", "private, max-age=300"),
    ("public", "response", "marks a response as storable by shared caches even when it would not be by default", "It matters mostly for responses to requests with an Authorization header, which shared caches otherwise refuse to store", "public, max-age=86400"),
    ("must-revalidate", "response", "forbids serving the response stale once its freshness has run out", "Without it, caches are allowed to serve stale content when disconnected from the origin, which some applications cannot tolerate", "max-age=60, must-revalidate"),
    ("proxy-revalidate", "response", "applies the must-revalidate rule to shared caches only", "It is rarely seen in practice and most configuration generators never emit it", "max-age=60, proxy-revalidate"),
    ("immutable", "response", "tells the browser that the body will never change during its freshness lifetime", "Firefox and Safari then skip revalidation on a normal reload; Chrome achieves a similar effect through its own reload rules", "public, max-age=31536000, immutable"),
    ("stale-while-revalidate", "response", "lets a cache serve a stale response for a number of seconds while it fetches a fresh copy in the background", "Users get a fast answer and the origin sees a steady trickle of refreshes instead of a burst when an object expires", "max-age=60, stale-while-revalidate=300"),
    ("stale-if-error", "response", "lets a cache serve stale content when the origin returns an error or cannot be reached", "Support varies considerably between CDNs, and browsers largely ignore it", "max-age=60, stale-if-error=86400"),
    ("no-transform", "both", "forbids intermediaries from altering the body, for example by recompressing images", "Mobile carriers once rewrote images aggressively, and this directive was the standard defence", "no-transform"),
    ("must-understand", "response", "tells a cache to store the response only if it understands the status code's caching rules", "It is meant to be combined with no-store as a fallback for caches that predate the directive", "must-understand, no-store"),
    ("max-stale", "request", "lets a client accept a response that has been stale for up to the given number of seconds", "Browsers do not send it on their own; it shows up in custom clients and in some offline-first libraries", "max-stale=120"),
    ("min-fresh", "request", "asks for a response that will remain fresh for at least the given number of seconds", "It is almost never used by browsers and is mainly of academic interest", "min-fresh=30"),
    ("only-if-cached", "request", "asks the cache to answer from storage or fail with a 504 status", "Service workers and offline modes are the main users, and the fetch API restricts it to same-origin requests", "only-if-cached"),
]

DIRECTIVE_OPENERS = [
    "The `{name}` directive {does}.",
    "`{name}` {does}.",
    "As defined in RFC 9111, `{name}` {does}.",
    "When a cache sees `{name}`, the directive {does}.",
]

DIRECTIVE_SCOPE = {
    "response": "It belongs in response headers; a request that carries it is ignored by most caches.",
    "request": "It is a request directive, sent by clients rather than servers.",
    "both": "It has a meaning in both requests and responses, and the two meanings differ slightly.",
}

EXAMPLES = [
    ("the home page of a news site", "text/html; charset=utf-8", "no-cache", "W/\"5f1c-18a\"", "Editors publish several times an hour, so every visit must check with the origin, but a 304 response keeps those checks cheap."),
    ("a fingerprinted JavaScript bundle", "text/javascript", "public, max-age=31536000, immutable", "\"app.3f9a2c.js\"", "The file name changes whenever the content changes, so the old name can be cached for a year without risk."),
    ("a JSON list of product prices", "application/json", "public, max-age=30, stale-while-revalidate=120", "\"prices-v812\"", "Prices change during sales, but thirty seconds of lag is acceptable and the background refresh hides the origin latency."),
    ("a user's account settings", "application/json", "private, no-store", "\"acct-77\"", "The response contains personal data and must never be written to a shared cache or kept on a shared computer."),
    ("a user avatar served from object storage", "image/webp", "public, max-age=86400", "\"9b2e41\"", "Avatars change rarely, and a day of staleness after an upload is tolerated as long as the upload page shows the new image directly."),
    ("a web font", "font/woff2", "public, max-age=31536000, immutable", "\"inter-4.0\"", "Fonts are versioned in the URL and shared by every page, so a long lifetime saves a request on almost every navigation."),
    ("a search results page", "text/html; charset=utf-8", "private, max-age=0, must-revalidate", "W/\"q-1a2b\"", "Results depend on the query and on the signed-in user, and showing outdated results would confuse people comparing listings."),
    ("a sitemap for crawlers", "application/xml", "public, max-age=3600", "\"sitemap-2024-06-03\"", "Crawlers fetch it a few times a day, and an hour of caching at the CDN absorbs bursts from many bots at once."),
    ("a software download", "application/octet-stream", "public, max-age=604800", "\"release-2.4.1\"", "Published release binaries stay the same forever, but a week rather than a year leaves room for an emergency re-release under the same name."),
    ("an OAuth token endpoint", "application/json", "no-store", "(none)", "Token responses carry credentials, and RFC 6749 requires that they are never stored by any cache."),
]

EXAMPLE_LEADS = [
    "A typical case is {what}.",
    "A second case is {what}.",
    "Then there is {what}.",
    "Another common case is {what}.",
    "One more case is {what}.",
]

FAQ = [
    ("Why does my CDN keep serving the old page after a deploy?", "The CDN stored the page under a lifetime that has not run out yet. Either the page was sent with a long max-age or s-maxage, or the CDN has its own default lifetime that overrides the origin. Purging the path at the CDN fixes it once; sending no-cache for HTML fixes it for good."),
    ("Is Expires still needed next to Cache-Control?", "No. When both are present, Cache-Control wins, and every cache in use today understands it. Some teams keep Expires for very old HTTP/1.0 proxies, which have become rare enough to ignore."),
    ("Does a 304 response save anything?", "It saves the body but not the round trip. For small documents the round trip dominates, which is why immutable assets with long lifetimes are faster still than revalidated ones."),
    ("Should ETags be strong or weak?", "Weak validators, written with a W/ prefix, say that two responses are semantically equivalent, which suits compressed variants of the same page. Strong validators are required for range requests, so downloads should use them."),
    ("What does Vary: Cookie do to a CDN?", "It usually destroys the hit rate, because every visitor sends different cookies and therefore gets a separate cache entry. Strip cookies that do not affect the response before they reach the cache key."),
    ("Why does the browser ignore my max-age on reload?", "A reload asks the browser to revalidate the main document and, depending on the engine, its subresources. Navigation through links and back buttons uses the cache as configured."),
    ("Can POST responses be cached?", "In principle yes, with explicit freshness and a Content-Location header, but practically no cache does it, and designing an API around it would be a mistake."),
    ("How long should an API response be cached?", "As long as the data may be out of date without harming anyone, which is a product question rather than a technical one. Ask the owner of the data for the tolerated delay and use that as max-age."),
    ("Why do some CDNs show a hit rate far below expectations?", "The usual causes are tracking parameters in query strings, cookies in the cache key, Vary on User-Agent and very short lifetimes. Each one multiplies the number of distinct cache entries for the same content."),
    ("Is no-cache enough to keep sensitive data off disk?", "No. no-cache still allows storing. Only no-store prevents the browser from writing the response to its disk cache."),
    ("What is the Age header?", "Shared caches add it to say how many seconds the response has spent in caches since the origin generated it. Browsers subtract it from max-age when computing remaining freshness."),
    ("What is heuristic freshness?", "When a response has no explicit lifetime but has a Last-Modified date, caches may guess a lifetime, commonly ten percent of the time since the last modification. This is why pages without any caching headers sometimes stay stale for hours."),
]

SERVERS = [
    ("Nginx", "nginx", "location ~* \\.(js|css|woff2)$ {\n    add_header Cache-Control \"public, max-age=31536000, immutable\" always;\n}",
     "Nginx adds headers with `add_header`, but a block that defines any `add_header` of its own silently drops every header inherited from the enclosing block, a frequent source of missing security headers after caching rules are added."),
    ("Apache httpd", "apache", "<FilesMatch \"\\.(js|css|woff2)$\">\n    Header set Cache-Control \"public, max-age=31536000, immutable\"\n</FilesMatch>",
     "Apache splits the work between mod_expires, which writes `Expires` and `max-age` from rules based on content type, and mod_headers, which can set any header; mixing the two on the same files produces duplicated directives."),
    ("Varnish", "vcl", "sub vcl_backend_response {\n    if (bereq.url ~ \"^/api/prices\") {\n        set beresp.ttl = 30s;\n        set beresp.grace = 2m;\n    }\n}",
     "Varnish computes its own time to live from the response headers but lets VCL override it, and its grace mode predates and resembles stale-while-revalidate."),
    ("Amazon CloudFront", "json", "{\n  \"DefaultTTL\": 86400,\n  \"MinTTL\": 0,\n  \"MaxTTL\": 31536000\n}",
     "CloudFront clamps the origin's lifetime between the minimum and maximum of the cache policy, and uses the default only when the origin sends no caching headers at all."),
    ("Cloudflare", "text", "Cache Rule: hostname eq \"static.example.com\"\n  Edge TTL: respect origin\n  Browser TTL: respect origin",
     "Cloudflare does not cache HTML by default, only files with known static extensions, so a page with a perfect Cache-Control header can still be fetched from the origin on every request until a cache rule says otherwise."),
    ("Fastly", "vcl", "sub vcl_fetch {\n    if (beresp.http.Surrogate-Control) {\n        set beresp.ttl = 1h;\n    }\n}",
     "Fastly reads `Surrogate-Control` before `Cache-Control`, strips it before the response leaves the edge, and supports purging by surrogate keys that tag many URLs at once."),
]

GLOSSARY = [
    ("Origin", "the server that generates the authoritative response"),
    ("Edge", "a CDN server close to the user that answers from its own storage when it can"),
    ("Fresh", "young enough to be reused without asking the origin"),
    ("Stale", "past its freshness lifetime, reusable only after revalidation or under stale-serving rules"),
    ("Validator", "a value such as an ETag or a Last-Modified date that lets a cache ask whether its copy is still current"),
    ("Revalidation", "a conditional request that either returns 304 Not Modified or a new full response"),
    ("Cache key", "the set of request properties, by default the method and URL, under which a response is stored"),
    ("Purge", "an explicit instruction to a CDN to drop stored copies before they expire"),
    ("Fingerprinting", "putting a hash of the file content in its name so that new content always gets a new URL"),
    ("Hit ratio", "the share of requests a cache answers without contacting the origin"),
    ("Conditional request", "a request carrying If-None-Match or If-Modified-Since, answered with 304 when nothing changed"),
    ("Freshness lifetime", "the number of seconds a stored response counts as fresh, from max-age, s-maxage, Expires or a heuristic"),
    ("Current age", "the time a response has spent in caches and in transit, estimated from the Age and Date headers"),
    ("Heuristic freshness", "a lifetime a cache invents for responses without explicit caching headers"),
    ("Shared cache", "a cache whose stored responses are reused for more than one user"),
    ("Private cache", "a cache dedicated to a single user, normally part of the browser"),
    ("Surrogate", "an older name for a reverse proxy or CDN server acting on behalf of the origin"),
    ("Negative caching", "storing error responses such as 404 for a short time so repeated misses do not reach the origin"),
]


def build() -> str:
    out = [HEAD]
    out.append("## Background\n")
    out.append(para("""Caching is one of the oldest performance techniques on the web, and one of the
    most misunderstood. Almost every team that runs a website eventually ships a deploy that
    nobody can see because an old copy is stuck somewhere between the origin and the user.
    The rest of this document tells the story of how the rules came to be, explains each
    directive in detail, and walks through a series of realistic situations."""))
    out.append("")
    out.append(para("""There are two kinds of caches to keep in mind. Private caches belong to one user,
    like the browser's disk cache. Shared caches serve many users, like a CDN edge, a reverse
    proxy in front of the application, or a corporate forward proxy. The same response can be
    stored in several of them on its way to the user, and each one applies the rules on its
    own."""))
    out.append("")
    out.append(para("""Caches also differ in how much they remember. A browser keeps a few hundred
    megabytes per profile and evicts the least recently used entries first, a CDN edge keeps
    popular objects in memory and the long tail on disk, and a reverse proxy in front of a
    single application may hold everything it has ever served. The same header therefore
    produces very different hit rates depending on where the response ends up, and a
    response that looks cacheable on paper may in practice be evicted within minutes on a
    busy edge server."""))
    out.append("")
    out.append("## A short history\n")
    for i, (year, who, what) in enumerate(HISTORY):
        sentence = HISTORY_FORMS[i % len(HISTORY_FORMS)].format(year=year, who=who, what=what)
        sentence = sentence[0].upper() + sentence[1:]
        tail = HISTORY_TAILS[(i * 3) % len(HISTORY_TAILS)] if i % 2 == 0 else ""
        out.append(para(f"{sentence} {tail}"))
        out.append("")
    out.append("## Why caching goes wrong\n")
    out.append(para("""Most caching incidents share a shape. A response is cached somewhere the
    team did not think about, under a lifetime nobody chose on purpose, and the first sign of
    trouble is a customer reporting that a fix deployed an hour ago is not visible to them.
    By the time the report arrives, the stale copy has often expired on its own, which makes
    the incident hard to reproduce and easy to dismiss as a one-off."""))
    out.append("")
    out.append(para("""The opposite failure is quieter. Responses that could be reused for hours are
    sent with no-store or with no caching headers at all, every page view reaches the origin,
    and the cost shows up months later as a large bill for servers and bandwidth, or as a
    slow site during a traffic peak. A cache that misses every time generates no bug reports,
    so this kind of problem tends to survive for years."""))
    out.append("")
    out.append(para("""A third pattern involves personal data. A page that greets the signed-in user
    by name is cached by a shared cache and shown to the next visitor. Incidents of this kind
    have affected large retailers and game platforms, usually after a configuration change
    to the CDN rather than to the application, and they are the main reason security teams
    take an interest in caching headers at all."""))
    out.append("")
    out.append("## Directive by directive\n")
    out.append(para("""The Cache-Control header is a comma-separated list of directives, some with
    a value after an equals sign and some without. The list is case-insensitive, the order of
    directives carries no meaning, and unknown directives are ignored, which is what allowed
    new ones such as immutable and stale-while-revalidate to be introduced without breaking
    older caches. The sections below go through the directives one at a time, roughly in the
    order in which they tend to appear in real responses, with a minimal exchange for each."""))
    out.append("")
    for i, (name, scope, does, note, value) in enumerate(DIRECTIVES):
        out.append(f"### {name}\n")
        opener = DIRECTIVE_OPENERS[i % len(DIRECTIVE_OPENERS)].format(name=name, does=does)
        out.append(para(f"{opener} {DIRECTIVE_SCOPE[scope]} {note}."))
        out.append("")
        out.append("```http")
        out.append("HTTP/1.1 200 OK" if scope != "request" else "GET /resource HTTP/1.1")
        out.append(f"Cache-Control: {value}")
        out.append("```")
        out.append("")
    out.append("## Worked examples\n")
    for i, (what, ctype, cc, etag, why) in enumerate(EXAMPLES):
        out.append(f"### {what[0].upper() + what[1:]}\n")
        out.append(para(EXAMPLE_LEADS[i % len(EXAMPLE_LEADS)].format(what=what) + " " + why))
        out.append("")
        out.append("```http")
        out.append("HTTP/1.1 200 OK")
        out.append(f"Content-Type: {ctype}")
        out.append(f"Cache-Control: {cc}")
        if etag != "(none)":
            out.append(f"ETag: {etag}")
        out.append("Date: Mon, 03 Jun 2024 14:05:00 GMT")
        out.append("```")
        out.append("")
        if etag != "(none)":
            out.append(para(f"""On the next request the browser sends `If-None-Match: {etag}`; if the
            content for {what} has not changed, the origin answers `304 Not Modified` with
            no body and the cached copy is reused."""))
        else:
            out.append(para(f"""Because nothing about {what} may be stored, there is no validator and
            every request goes to the origin in full."""))
        out.append("")
    out.append("## Frequently asked questions\n")
    for q, a in FAQ:
        out.append(f"### {q}\n")
        out.append(para(a))
        out.append("")
    out.append("## Notes on servers and CDNs\n")
    for i, (server, lang, config, note) in enumerate(SERVERS):
        out.append(f"### {server}\n")
        out.append(para(note))
        out.append("")
        out.append(f"```{lang}")
        out.append(config)
        out.append("```")
        out.append("")
        out.append(para(f"""Teams that run {server} in front of their application often discover its
        caching defaults only after an incident, since the behaviour described here is the
        documented default as of mid-2024 and vendors change defaults between releases."""
        if i % 2 == 0 else f"""Configuration for {server} is often copied between projects for
        years, so it is worth checking which of its caching rules still match the content the
        site serves today."""))
        out.append("")
    out.append("## Glossary\n")
    for term, meaning in GLOSSARY:
        out.append(f"**{term}** is {meaning}.")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text(build())
