//! Fenced code blocks of the kinds postmortems quote: queries, shell
//! sessions, configuration, log lines and scripts.

use fastrand::Rng;

use crate::vocab::{NAMESPACES, TABLES};

const LANGUAGES: &[&str] = &["sql", "bash", "yaml", "json", "python"];

/// One fenced block in one of the languages, ending with a newline.
pub fn block(rng: &mut Rng, service_slug: &str) -> String {
    let lang = pick(rng, LANGUAGES);
    let table = pick(rng, TABLES);
    let ns = pick(rng, NAMESPACES);
    let n = rng.u32(2..500);
    let body = match (lang, rng.u8(0..2)) {
        ("sql", 0) => format!(
            "-- rows stuck behind the lock during the incident\n\
             SELECT pid, state, wait_event_type, now() - xact_start AS age, left(query, 80)\n\
             FROM pg_stat_activity\n\
             WHERE datname = '{table}' AND state <> 'idle'\n\
             ORDER BY age DESC\n\
             LIMIT {n};\n"
        ),
        ("sql", _) => format!(
            "EXPLAIN (ANALYZE, BUFFERS)\n\
             SELECT o.id, o.status, sum(l.amount) AS total\n\
             FROM {table} o\n\
             JOIN {table}_lines l ON l.{table}_id = o.id\n\
             WHERE o.created_at > now() - interval '{n} minutes'\n\
             GROUP BY o.id, o.status;\n\
             CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_{table}_created_at ON {table} (created_at);\n"
        ),
        ("bash", 0) => format!(
            "# find the pods that never picked up the new endpoint\n\
             kubectl -n {ns} get pods -l app={service_slug} -o wide\n\
             kubectl -n {ns} logs deploy/{service_slug} --since=30m | grep -c 'connection refused'\n\
             kubectl -n {ns} rollout restart deploy/{service_slug}\n\
             kubectl -n {ns} rollout status deploy/{service_slug} --timeout={n}s\n"
        ),
        ("bash", _) => format!(
            "for host in $(dig +short {service_slug}.internal); do\n  \
               echo \"== $host\"\n  \
               curl -s -o /dev/null -w '%{{http_code}} %{{time_total}}\\n' \"http://$host:8080/healthz\"\n\
             done\n\
             df -h /var/lib/{table} | tail -n 1\n\
             journalctl -u {service_slug} --since '-{n} min' | tail -n 20\n"
        ),
        ("yaml", 0) => format!(
            "apiVersion: apps/v1\n\
             kind: Deployment\n\
             metadata:\n  name: {service_slug}\n  namespace: {ns}\n\
             spec:\n  replicas: {replicas}\n  strategy:\n    rollingUpdate:\n      maxSurge: 50%\n      maxUnavailable: 0\n  \
             template:\n    spec:\n      containers:\n        - name: app\n          \
             resources:\n            requests: {{ cpu: 500m, memory: 512Mi }}\n            limits: {{ memory: 1Gi }}\n          \
             readinessProbe:\n            httpGet: {{ path: /ready, port: 8080 }}\n            periodSeconds: 5\n",
            replicas = n % 12 + 3
        ),
        ("yaml", _) => format!(
            "# alert added after the incident\n\
             groups:\n  - name: {service_slug}\n    rules:\n      - alert: PoolSaturation\n        \
             expr: db_pool_in_use / db_pool_max > 0.9\n        for: 5m\n        \
             labels: {{ severity: page, team: {ns} }}\n        \
             annotations:\n          summary: \"{service_slug} pool above 90% for 5 minutes\"\n"
        ),
        ("json", 0) => format!(
            "{{\n  \"level\": \"error\",\n  \"service\": \"{service_slug}\",\n  \"msg\": \"upstream request failed\",\n  \
             \"error\": \"context deadline exceeded\",\n  \"table\": \"{table}\",\n  \"attempt\": {attempt},\n  \
             \"latency_ms\": {latency},\n  \"region\": \"eu-west-1\"\n}}\n",
            attempt = n % 7 + 1,
            latency = n * 37
        ),
        ("json", _) => format!(
            "{{\n  \"pool\": {{ \"max_size\": {n}, \"min_idle\": 4, \"max_lifetime_s\": 600, \"validate_on_borrow\": true }},\n  \
             \"retry\": {{ \"attempts\": 3, \"backoff_ms\": [100, 400, 1600], \"jitter\": true }},\n  \
             \"timeouts\": {{ \"connect_ms\": 500, \"request_ms\": 2000 }}\n}}\n"
        ),
        (_, 0) => format!(
            "import collections\nimport json\n\n\
             # count failed {table} writes per minute from the exported logs\n\
             per_minute = collections.Counter()\n\
             with open(\"{service_slug}-errors.jsonl\") as f:\n    \
                 for line in f:\n        event = json.loads(line)\n        \
                     if event.get(\"table\") == \"{table}\":\n            \
                         per_minute[event[\"ts\"][:16]] += 1\n\n\
             for minute, count in sorted(per_minute.items()):\n    \
                 print(minute, count, \"#\" * (count // {div}))\n",
            div = n % 9 + 1
        ),
        (_, _) => format!(
            "def backoff(attempt, base=0.1, cap={n}.0):\n    \
                 \"\"\"Exponential backoff with full jitter, as added after the incident.\"\"\"\n    \
                 import random\n    \
                 return random.uniform(0, min(cap, base * 2 ** attempt))\n\n\n\
             for attempt in range(5):\n    print(attempt, round(backoff(attempt), 3))\n"
        ),
    };
    format!("```{lang}\n{body}```\n")
}

pub fn pick<'a>(rng: &mut Rng, items: &[&'a str]) -> &'a str {
    items[rng.usize(..items.len())]
}
