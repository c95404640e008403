//! Secrets and personal data (docs/safety.md): private keys, cloud access keys,
//! tokens, passwords in URLs, card numbers that pass the Luhn check, national
//! ID numbers, and the site's own patterns. Every finding hides the secret:
//! the message shows at most the part that names its kind (`ghp_`, `AKIA`),
//! and [`Finding::redact`] says which bytes must never be printed.

use std::ops::Range;
use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::Finding;
use crate::diagnostics::codes;

/// One kind of secret: a pattern, the capture group holding the secret, and
/// how much of it may be shown.
struct Rule {
    code: &'static str,
    what: &'static str,
    regex: Regex,
    /// Capture group of the secret (0 = the whole match).
    group: usize,
    /// Leading characters of the secret that only name its kind and may be shown.
    visible: usize,
    /// Rejects matches that are not secrets (documentation examples, checksums).
    accept: fn(&Captures<'_>) -> bool,
    hint: &'static str,
}

const ROTATE: &str =
    "remove it and rotate it: anything pushed to a repository must be treated as leaked";
const PII: &str =
    "remove the personal data or replace it with a made-up placeholder; postmortems are published";

fn always(_: &Captures<'_>) -> bool {
    true
}

fn not_an_example(caps: &Captures<'_>) -> bool {
    !caps[0].contains("EXAMPLE")
}

fn rule(
    code: &'static str,
    what: &'static str,
    pattern: &str,
    group: usize,
    visible: usize,
    hint: &'static str,
) -> Rule {
    Rule {
        code,
        what,
        regex: Regex::new(pattern).expect("valid secret pattern"),
        group,
        visible,
        accept: always,
        hint,
    }
}

static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    vec![
        rule(
            codes::SECRET_PRIVATE_KEY,
            "private key",
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----",
            0,
            usize::MAX,
            ROTATE,
        ),
        Rule {
            accept: not_an_example,
            ..rule(
                codes::SECRET_CLOUD_KEY,
                "AWS access key id",
                r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b",
                0,
                4,
                ROTATE,
            )
        },
        rule(
            codes::SECRET_CLOUD_KEY,
            "AWS secret access key",
            r#"(?i:aws_?secret_?(?:access_?)?key)["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+]|$)"#,
            1,
            0,
            ROTATE,
        ),
        rule(
            codes::SECRET_CLOUD_KEY,
            "Google API key",
            r"\b(AIza[0-9A-Za-z_-]{35})(?:[^0-9A-Za-z_-]|$)",
            1,
            4,
            ROTATE,
        ),
        rule(
            codes::SECRET_CLOUD_KEY,
            "GCP service-account key id",
            r#""private_key_id"\s*:\s*"([0-9a-f]{40})""#,
            1,
            0,
            ROTATE,
        ),
        rule(
            codes::SECRET_CLOUD_KEY,
            "Google OAuth access token",
            r"\bya29\.[0-9A-Za-z_-]{20,}",
            0,
            5,
            ROTATE,
        ),
        rule(
            codes::SECRET_CLOUD_KEY,
            "Azure storage account key",
            r"(?i:AccountKey)=([A-Za-z0-9+/]{86}==)",
            1,
            0,
            ROTATE,
        ),
        rule(
            codes::SECRET_TOKEN,
            "GitHub token",
            r"\bgh[pousr]_[A-Za-z0-9]{36,251}\b",
            0,
            4,
            ROTATE,
        ),
        rule(
            codes::SECRET_TOKEN,
            "GitHub token",
            r"\bgithub_pat_[A-Za-z0-9_]{22,255}",
            0,
            11,
            ROTATE,
        ),
        rule(
            codes::SECRET_TOKEN,
            "GitLab token",
            r"\bglpat-[A-Za-z0-9_-]{20,}",
            0,
            6,
            ROTATE,
        ),
        rule(
            codes::SECRET_TOKEN,
            "Slack token",
            r"\bxox[abposr]-[A-Za-z0-9-]{10,}",
            0,
            5,
            ROTATE,
        ),
        rule(
            codes::SECRET_TOKEN,
            "Slack webhook URL",
            r"https://hooks\.slack\.com/services/[A-Za-z0-9]+/[A-Za-z0-9]+/[A-Za-z0-9]{8,}",
            0,
            33,
            ROTATE,
        ),
        rule(
            codes::SECRET_TOKEN,
            "Stripe live key",
            r"\b[sr]k_live_[0-9A-Za-z]{20,}",
            0,
            8,
            ROTATE,
        ),
        rule(
            codes::SECRET_TOKEN,
            "npm token",
            r"\bnpm_[A-Za-z0-9]{36}\b",
            0,
            4,
            ROTATE,
        ),
        rule(
            codes::SECRET_TOKEN,
            "API key",
            r"\bsk-(?:proj|ant|svcacct|admin)-[A-Za-z0-9_-]{20,}",
            0,
            3,
            ROTATE,
        ),
        rule(
            codes::SECRET_TOKEN,
            "JSON Web Token",
            r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
            0,
            3,
            ROTATE,
        ),
        Rule {
            accept: |caps| !is_placeholder_password(&caps[2]),
            ..rule(
                codes::SECRET_PASSWORD_IN_URL,
                "password in a URL",
                r#"\b[a-zA-Z][a-zA-Z0-9+.-]{1,20}://([^\s:/?#@"'<>\[\]]+):([^\s/?#@"'<>\[\]]+)@[^\s/?#@]"#,
                2,
                0,
                "remove the password from the URL (and rotate it); write `user:***@host` if the user matters",
            )
        },
        Rule {
            accept: |caps| is_card_number(&caps[0]),
            ..rule(
                codes::PII_CARD_NUMBER,
                "payment card number",
                r"\b\d(?:[ -]?\d){12,18}\b",
                0,
                0,
                PII,
            )
        },
        Rule {
            accept: |caps| is_ssn(&caps[1], &caps[2], &caps[3]),
            ..rule(
                codes::PII_NATIONAL_ID,
                "US Social Security number",
                r"\b(\d{3})-(\d{2})-(\d{4})\b",
                0,
                0,
                PII,
            )
        },
        Rule {
            accept: |caps| !matches!(&caps[1], "BG" | "GB" | "NK" | "KN" | "TN" | "NT" | "ZZ"),
            ..rule(
                codes::PII_NATIONAL_ID,
                "UK National Insurance number",
                r"\b([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b",
                0,
                0,
                PII,
            )
        },
    ]
});

/// Secrets and personal data in `text`, plus matches of the site's own
/// `secrets.extra_patterns`. Pure; findings are sorted and never overlap.
pub fn scan(text: &str, extra_patterns: &[Regex]) -> Vec<Finding> {
    let mut found = Vec::new();
    for rule in RULES.iter() {
        for caps in rule.regex.captures_iter(text) {
            if !(rule.accept)(&caps) {
                continue;
            }
            let secret = caps.get(rule.group).expect("rule group exists");
            if rule.code == codes::PII_CARD_NUMBER && continues_digit_groups(text, secret.range()) {
                continue;
            }
            found.push(finding(rule, text, secret.range()));
        }
    }
    for pattern in extra_patterns {
        for m in pattern.find_iter(text).filter(|m| !m.is_empty()) {
            found.push(Finding {
                code: codes::SECRET_CUSTOM_PATTERN,
                range: m.range(),
                message: format!(
                    "text matches the configured secret pattern `{}`",
                    pattern.as_str()
                ),
                hint: "remove it; `secrets.extra_patterns` in hindsight.yaml marks it as sensitive"
                    .into(),
                redact: Some(m.range()),
            });
        }
    }
    super::without_overlaps(found)
}

fn finding(rule: &Rule, text: &str, range: Range<usize>) -> Finding {
    let secret = &text[range.clone()];
    let shown: String = secret.chars().take(rule.visible).collect();
    let (message, redact) = if rule.code == codes::PII_CARD_NUMBER {
        let digits: String = secret.chars().filter(char::is_ascii_digit).collect();
        let last4 = &digits[digits.len() - 4..];
        // Like a receipt: only the last four digits.
        let hidden_end = range.end - 4;
        (
            format!("{} ending in {last4}", rule.what),
            Some(range.start..hidden_end),
        )
    } else if shown.len() >= secret.len() {
        // The match is only a marker (a key's BEGIN line): hide what follows it on the line.
        let line_end = text[range.end..]
            .find('\n')
            .map_or(text.len(), |i| range.end + i);
        let rest = (line_end > range.end).then_some(range.end..line_end);
        (rule.what.to_string(), rest)
    } else if shown.is_empty() {
        (rule.what.to_string(), Some(range.clone()))
    } else {
        (
            format!("{} `{shown}…`", rule.what),
            Some(range.start + shown.len()..range.end),
        )
    };
    Finding {
        code: rule.code,
        range,
        message,
        hint: rule.hint.into(),
        redact,
    }
}

/// `user:password@` in documentation: `password`, `****`, `<pass>`, `${DB_PASSWORD}`.
fn is_placeholder_password(password: &str) -> bool {
    let lower = password.to_ascii_lowercase();
    password.starts_with(['$', '<', '{', '%', '['])
        || password
            .chars()
            .all(|c| matches!(c, '*' | 'x' | 'X' | '.' | '•'))
        || matches!(
            lower.as_str(),
            "password" | "pass" | "passwd" | "pwd" | "pw" | "secret" | "redacted" | "token"
        )
}

/// 13–19 digits, written together or in groups of four (Amex: 4-6-5), with
/// a known issuer prefix and a valid Luhn check digit.
fn is_card_number(text: &str) -> bool {
    let digits: Vec<u32> = text.chars().filter_map(|c| c.to_digit(10)).collect();
    if !(13..=19).contains(&digits.len()) || digits.iter().all(|&d| d == digits[0]) {
        return false;
    }
    let groups: Vec<usize> = text.split([' ', '-']).map(str::len).collect();
    let separators: Vec<char> = text.chars().filter(|c| !c.is_ascii_digit()).collect();
    let consistent = separators.windows(2).all(|w| w[0] == w[1]);
    let grouped = groups.len() == 1
        || (consistent
            && (groups[..groups.len() - 1].iter().all(|&g| g == 4)
                || groups == [4, 6, 5]
                || groups == [4, 6, 4]));
    grouped && has_issuer_prefix(&digits) && luhn(&digits)
}

fn has_issuer_prefix(digits: &[u32]) -> bool {
    let prefix = |n: usize| digits[..n].iter().fold(0, |acc, d| acc * 10 + d);
    let (two, four) = (prefix(2), prefix(4));
    digits[0] == 4                                  // Visa
        || (51..=55).contains(&two)                 // Mastercard
        || (2221..=2720).contains(&four)            // Mastercard 2-series
        || two == 34 || two == 37                   // American Express
        || four == 6011 || two == 65                // Discover
        || (3528..=3589).contains(&four)            // JCB
        || two == 36 || two == 38 || (300..=305).contains(&prefix(3)) // Diners
        || two == 62 // UnionPay
}

fn luhn(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// A card number inside a longer run of digit groups (an id, a serial) is not a card number.
fn continues_digit_groups(text: &str, range: Range<usize>) -> bool {
    let before = text[..range.start]
        .chars()
        .rev()
        .take(2)
        .collect::<Vec<_>>();
    let after = text[range.end..].chars().take(2).collect::<Vec<_>>();
    let joins = |pair: &[char]| {
        pair.len() == 2 && matches!(pair[0], ' ' | '-' | '.') && pair[1].is_ascii_digit()
    };
    joins(&before) || joins(&after) || before.first() == Some(&'.') || after.first() == Some(&'.')
}

/// Area 001–665, 667–899; group 01–99; serial 0001–9999 (SSA rules).
fn is_ssn(area: &str, group: &str, serial: &str) -> bool {
    area != "000" && area != "666" && !area.starts_with('9') && group != "00" && serial != "0000"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<(&'static str, String)> {
        scan(text, &[])
            .into_iter()
            .map(|f| (f.code, text[f.range].to_string()))
            .collect()
    }

    #[test]
    fn finds_each_kind_of_secret() {
        let cases = [
            ("-----BEGIN RSA PRIVATE KEY-----", "secret-private-key"),
            ("-----BEGIN OPENSSH PRIVATE KEY-----", "secret-private-key"),
            ("key AKIAQWERTYUIOPASDFGH used", "secret-cloud-key"),
            (
                "aws_secret_access_key = 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",
                "secret-cloud-key",
            ),
            (
                "AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI",
                "secret-cloud-key",
            ),
            (
                "\"private_key_id\": \"0123456789abcdef0123456789abcdef01234567\"",
                "secret-cloud-key",
            ),
            (
                "token ghp_abcdefghijklmnopqrstuvwxyz0123456789 leaked",
                "secret-token",
            ),
            ("github_pat_11ABCDEFG0123456789_abcdefghij", "secret-token"),
            ("glpat-abcdefghij0123456789", "secret-token"),
            ("xoxb-123456789012-abcdefghijkl", "secret-token"),
            (
                "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
                "secret-token",
            ),
            ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "secret-token"),
            (
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
                "secret-token",
            ),
            (
                "postgres://admin:hunter2@db.internal:5432/app",
                "secret-password-in-url",
            ),
            ("card 4111 1111 1111 1111 declined", "pii-card-number"),
            ("card 5555555555554444 declined", "pii-card-number"),
            ("SSN 219-09-9999 on file", "pii-national-id"),
            ("NINO JG 10 37 59 A", "pii-national-id"),
        ];
        for (text, code) in cases {
            let found = codes(text);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].0, code, "{text}");
        }
    }

    #[test]
    fn ignores_look_alikes() {
        for text in [
            "AKIAIOSFODNN7EXAMPLE is the documentation example",
            "postgres://user:password@localhost/db",
            "redis://:${REDIS_PASSWORD}@cache:6379",
            "https://user:****@host/",
            "order 4111 1111 1111 1112 (fails Luhn)",
            "epoch 1705242227000 ms",
            "serial 4111-1111-1111-1111-2222",
            "version 1.4111111111111111",
            "dates 2024-01-15 and phone 555-123-4567",
            "SSN-like 000-12-3456 and 666-12-3456 and 900-12-3456",
            "-----BEGIN PUBLIC KEY-----",
            "the GB 12 34 56 A prefix is never issued",
        ] {
            assert_eq!(codes(text), Vec::<(&str, String)>::new(), "{text}");
        }
    }

    #[test]
    fn messages_never_contain_the_secret() {
        let text = "ghp_abcdefghijklmnopqrstuvwxyz0123456789 and postgres://admin:hunter2@db/x and 4111111111111111";
        for f in scan(text, &[]) {
            let secret = &text[f.range.clone()];
            assert!(!f.message.contains(secret), "{}", f.message);
            let hidden = f.redact.clone().expect("secrets are redacted");
            assert!(hidden.start >= f.range.start && hidden.end <= text.len());
        }
        let card = scan("4111111111111111", &[]);
        assert_eq!(card[0].message, "payment card number ending in 1111");
        assert_eq!(card[0].redact, Some(0..12));
        let token = scan("ghp_abcdefghijklmnopqrstuvwxyz0123456789", &[]);
        assert_eq!(token[0].message, "GitHub token `ghp_…`");
        assert_eq!(token[0].redact, Some(4..40));
    }

    #[test]
    fn a_private_key_hides_the_rest_of_its_line() {
        let text = "\"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBg\",\nnext";
        let found = scan(text, &[]);
        assert_eq!(found.len(), 1);
        let hidden = found[0].redact.clone().unwrap();
        assert_eq!(&text[hidden], "\\nMIIEvQIBADANBg\",");
    }

    #[test]
    fn configured_patterns_are_secrets() {
        let extra = [Regex::new(r"MRN-\d{6}").unwrap()];
        let found = scan("patient MRN-123456 was affected", &extra);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].code, "secret-custom-pattern");
        assert_eq!(found[0].range, 8..18);
    }

    #[test]
    fn luhn_checks_the_check_digit() {
        assert!(luhn(&[4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]));
        assert!(!luhn(&[4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]));
        assert!(is_card_number("3782 822463 10005"));
        assert!(!is_card_number("4111 1111-1111 1111"));
    }
}
