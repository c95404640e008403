//! Every diagnostic code, in one place: the stable identifiers that tests,
//! CI filters and `check --format json` rely on. docs/cli.md#diagnostics
//! describes each (a test keeps that page and this list in step).

/// `hindsight.yaml` does not parse or has an invalid value.
pub const CONFIG_INVALID: &str = "config-invalid";
/// A theme template does not compile or fails to render.
pub const TEMPLATE_ERROR: &str = "template-error";
/// A content or theme file cannot be read.
pub const UNREADABLE: &str = "unreadable";
/// A symlink under `content/` or `theme/` leads outside the root.
pub const SYMLINK_OUTSIDE_ROOT: &str = "symlink-outside-root";
/// A symlink that leaves its own folder or leads to a hidden file (`.git`, `.env`).
pub const SYMLINK_REFUSED: &str = "symlink-refused";
/// A content file over the size limit.
pub const FILE_TOO_LARGE: &str = "file-too-large";
/// A content file holds NUL bytes.
pub const BINARY_FILE: &str = "binary-file";
/// A content file is not UTF-8.
pub const INVALID_UTF8: &str = "invalid-utf8";
/// `---` opens front matter that never closes.
pub const FRONT_MATTER_UNCLOSED: &str = "front-matter-unclosed";
/// Front matter over the size limit.
pub const FRONT_MATTER_TOO_LARGE: &str = "front-matter-too-large";
/// Front matter that is not a YAML mapping.
pub const FRONT_MATTER_NOT_MAPPING: &str = "front-matter-not-mapping";
/// Front matter that is not valid YAML (or nests too deep).
pub const YAML_SYNTAX: &str = "yaml-syntax";
/// A field of the wrong type.
pub const FIELD_TYPE: &str = "field-type";
/// Two keys (a field and its alias) set one field.
pub const DUPLICATE_FIELD: &str = "duplicate-field";
/// An id that is not a plain name.
pub const INVALID_ID: &str = "invalid-id";
/// More tags or services on one incident than a page can show.
pub const TOO_MANY_LABELS: &str = "too-many-labels";
/// More lessons in one postmortem than are kept as lessons.
pub const TOO_MANY_LESSONS: &str = "too-many-lessons";
/// A timestamp that cannot be read.
pub const INVALID_TIMESTAMP: &str = "invalid-timestamp";
/// A date that cannot be read.
pub const INVALID_DATE: &str = "invalid-date";
/// A duration that cannot be read.
pub const INVALID_DURATION: &str = "invalid-duration";
/// Started, detected, mitigated and resolved out of order.
pub const TIMESTAMPS_OUT_OF_ORDER: &str = "timestamps-out-of-order";
/// A severity that is not on the configured scale.
pub const UNKNOWN_SEVERITY: &str = "unknown-severity";
/// An incident status that is not one of the four.
pub const UNKNOWN_STATUS: &str = "unknown-status";
/// A visibility other than public or internal.
pub const UNKNOWN_VISIBILITY: &str = "unknown-visibility";
/// A front-matter action item without a title, or not a mapping.
pub const ACTION_ITEM_INVALID: &str = "action-item-invalid";
/// An action item status that is not one of the four.
pub const UNKNOWN_ACTION_STATUS: &str = "unknown-action-status";
/// No title: one was taken from the summary or body.
pub const TITLE_DERIVED: &str = "title-derived";
/// No title, and nothing to take one from.
pub const NO_TITLE: &str = "no-title";
/// Two incidents share an id.
pub const DUPLICATE_ID: &str = "duplicate-id";
/// A reference to an id no incident has.
pub const UNKNOWN_REFERENCE: &str = "unknown-reference";
/// A reference to an incident left out of this build.
pub const REFERENCE_UNPUBLISHED: &str = "reference-unpublished";
/// A private key block.
pub const SECRET_PRIVATE_KEY: &str = "secret-private-key";
/// A cloud provider's access key.
pub const SECRET_CLOUD_KEY: &str = "secret-cloud-key";
/// An API token.
pub const SECRET_TOKEN: &str = "secret-token";
/// A password inside a URL.
pub const SECRET_PASSWORD_IN_URL: &str = "secret-password-in-url";
/// A match of the site's `secrets.extra_patterns`.
pub const SECRET_CUSTOM_PATTERN: &str = "secret-custom-pattern";
/// A payment card number (Luhn-valid).
pub const PII_CARD_NUMBER: &str = "pii-card-number";
/// A national ID number.
pub const PII_NATIONAL_ID: &str = "pii-national-id";
/// A placeholder left from a template.
pub const PLACEHOLDER: &str = "placeholder";
/// An open action item nobody owns.
pub const ACTION_ITEM_NO_OWNER: &str = "action-item-no-owner";
/// An open action item past its due date.
pub const ACTION_ITEM_OVERDUE: &str = "action-item-overdue";

/// Every code above.
#[cfg(test)]
const ALL: &[&str] = &[
    CONFIG_INVALID,
    TEMPLATE_ERROR,
    UNREADABLE,
    SYMLINK_OUTSIDE_ROOT,
    FILE_TOO_LARGE,
    BINARY_FILE,
    INVALID_UTF8,
    FRONT_MATTER_UNCLOSED,
    FRONT_MATTER_TOO_LARGE,
    FRONT_MATTER_NOT_MAPPING,
    YAML_SYNTAX,
    FIELD_TYPE,
    DUPLICATE_FIELD,
    INVALID_ID,
    INVALID_TIMESTAMP,
    INVALID_DATE,
    INVALID_DURATION,
    TIMESTAMPS_OUT_OF_ORDER,
    UNKNOWN_SEVERITY,
    UNKNOWN_STATUS,
    UNKNOWN_VISIBILITY,
    ACTION_ITEM_INVALID,
    UNKNOWN_ACTION_STATUS,
    TITLE_DERIVED,
    NO_TITLE,
    DUPLICATE_ID,
    UNKNOWN_REFERENCE,
    REFERENCE_UNPUBLISHED,
    SECRET_PRIVATE_KEY,
    SECRET_CLOUD_KEY,
    SECRET_TOKEN,
    SECRET_PASSWORD_IN_URL,
    SECRET_CUSTOM_PATTERN,
    PII_CARD_NUMBER,
    PII_NATIONAL_ID,
    PLACEHOLDER,
    ACTION_ITEM_NO_OWNER,
    ACTION_ITEM_OVERDUE,
];

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_reference_lists_every_code() {
        let reference = include_str!("../../docs/cli.md");
        let missing: Vec<&&str> = super::ALL
            .iter()
            .filter(|code| !reference.contains(&format!("`{code}`")))
            .collect();
        assert!(missing.is_empty(), "docs/cli.md does not list {missing:?}");
    }
}
