//! Connecting to a PostgreSQL server as its users do (contract §9): TLS by
//! `sslmode`, the certificate checked against a root certificate, the
//! password from the environment, and one line naming the server and
//! database — the password masked — when connecting fails. .ci/postgres
//! gives its server a certificate signed by a test CA
//! (`BANGFU_TEST_PG_ROOT_CERT`) and a role `tls_only` that may log in over
//! TLS only.

use crate::common::*;

/// The Workdir's database URL as role `tls_only`, with `query`.
fn as_tls_only(w: &Workdir, query: &str) -> String {
    let url = w.target();
    let rest = url.split_once('@').map_or(url.as_str(), |(_, r)| r);
    format!("postgres://tls_only@{rest}?{query}")
}

/// Run `summary` against `db`: (exit code, stderr).
fn summary(w: &Workdir, db: &str) -> (Option<i32>, String) {
    let out = w
        .bangfu()
        .env("BANGFU_DB", db)
        .arg("summary")
        .output()
        .expect("run bangfu");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn root_cert() -> Option<String> {
    std::env::var("BANGFU_TEST_PG_ROOT_CERT")
        .ok()
        .filter(|c| !c.is_empty())
}

#[test]
fn tls_is_used_as_sslmode_asks_and_the_certificate_is_checked() {
    let w = Workdir::new();
    let (Some(cert), true) = (root_cert(), w.on_postgres()) else {
        eprintln!(
            "skipped: needs the PostgreSQL server of .ci/postgres (BANGFU_TEST_PG_ROOT_CERT)"
        );
        return;
    };
    import_small_district(&w);
    // Without TLS the server turns tls_only away: the line names it.
    let (code, err) = summary(&w, &as_tls_only(&w, "sslmode=disable"));
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("cannot connect to the PostgreSQL database postgres://tls_only@"),
        "{err}"
    );
    assert!(err.contains("no encryption"), "{err}");
    // Encrypted, not checked; encrypted and checked against the CA.
    let plain = w.stdout(&["summary"]);
    for query in [
        "sslmode=require".to_string(),
        format!("sslmode=verify-full&sslrootcert={cert}"),
        format!("sslmode=verify-ca&sslrootcert={cert}"),
    ] {
        let out = w
            .bangfu()
            .env("BANGFU_DB", as_tls_only(&w, &query))
            .arg("summary")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{query}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout), plain, "{query}");
    }
    // A certificate the root does not sign is refused under verify-full.
    let other = w.utf8(
        "other-root.crt",
        &std::fs::read_to_string("/etc/ssl/certs/ca-certificates.crt").unwrap_or_default(),
    );
    let (code, err) = summary(
        &w,
        &as_tls_only(
            &w,
            &format!("sslmode=verify-full&sslrootcert={}", path_str(&other)),
        ),
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("cannot connect"), "{err}");
    // A root certificate that is not there is said as such.
    let (code, err) = summary(
        &w,
        &as_tls_only(&w, "sslmode=verify-full&sslrootcert=/no/such.crt"),
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("the root certificate /no/such.crt cannot be read"),
        "{err}"
    );
}

#[test]
fn a_failed_connection_is_one_line_naming_server_and_database_with_the_password_masked() {
    let w = Workdir::new();
    // Nothing listens on port 1 of this machine.
    for (lang, expected) in [
        ("en", "bangfu: cannot connect to the PostgreSQL database postgres://clerk:***@127.0.0.1:1/district: no server answers at that host and port"),
        ("zh", "bangfu：无法连接 PostgreSQL 数据库 postgres://clerk:***@127.0.0.1:1/district：该主机和端口上没有服务器应答"),
    ] {
        let out = w
            .bangfu()
            .args(["--lang", lang, "--db", "postgres://clerk:s3cret@127.0.0.1:1/district", "summary"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with(expected), "{err}");
        assert!(!err.contains("s3cret"), "{err}");
    }
    // An address mistyped is refused, not made a new file named like it.
    let sheet = w.utf8("members.csv", "id,name,unit\nM1,赵六,区财政局\n");
    for typo in ["pg://clerk@h/district", "postgres:/district"] {
        let out = w
            .bangfu()
            .args(["--db", typo, "import", path_str(&sheet)])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains("is not a database address bangfu reads"),
            "{err}"
        );
    }
    assert_eq!(
        std::fs::read_dir(w.dir.path()).unwrap().count(),
        1,
        "a file was made"
    );
    // A URL bangfu cannot read names what is wrong, the password masked.
    let out = w
        .bangfu()
        .args([
            "--db",
            "postgresql://clerk:s3cret@h/db?sslmode=sometimes",
            "summary",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("postgresql://clerk:***@h/db?sslmode=sometimes: sslmode=sometimes"),
        "{err}"
    );
    assert!(!err.contains("s3cret"), "{err}");
}

#[test]
fn the_password_comes_from_pgpassword_or_the_password_file() {
    let w = Workdir::new();
    if root_cert().is_none() || !w.on_postgres() {
        eprintln!("skipped: needs the PostgreSQL server of .ci/postgres (role with_password)");
        return;
    }
    import_small_district(&w);
    let url = w.target();
    let rest = url.split_once('@').map_or(url.as_str(), |(_, r)| r);
    let db = format!("postgres://with_password@{rest}");
    let run = |envs: &[(&str, &str)]| {
        let mut cmd = w.bangfu();
        cmd.env("BANGFU_DB", &db)
            .env_remove("PGPASSWORD")
            .env("PGPASSFILE", w.path("no-such-pgpass"));
        for (k, v) in envs {
            cmd.env(k, v);
        }
        cmd.args(["--lang", "zh", "summary"]).output().unwrap()
    };
    let none = run(&[]);
    assert_eq!(
        none.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&none.stderr)
    );
    // Said in the clerk's language, with what to do (clerk review: the
    // client's English "password missing" came through).
    let said = String::from_utf8_lossy(&none.stderr).into_owned();
    assert!(
        said.contains("服务器要求密码") && said.contains("PGPASSWORD"),
        "{said}"
    );
    assert!(!said.contains("password missing"), "{said}");
    let from_env = run(&[("PGPASSWORD", "pw-for-tests")]);
    assert!(
        from_env.status.success(),
        "{}",
        String::from_utf8_lossy(&from_env.stderr)
    );
    let port = rest
        .split(':')
        .nth(1)
        .and_then(|p| p.split('/').next())
        .unwrap();
    let pgpass = w.utf8(
        "pgpass",
        &format!("# host:port:db:user:password\n127.0.0.1:{port}:*:with_password:pw-for-tests\n"),
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let from_file = run(&[("PGPASSFILE", path_str(&pgpass))]);
    assert!(
        from_file.status.success(),
        "{}",
        String::from_utf8_lossy(&from_file.stderr)
    );
    assert_eq!(from_file.stdout, from_env.stdout);
    // A password file others may read is ignored, as libpq ignores it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o644)).unwrap();
        let ignored = run(&[("PGPASSFILE", path_str(&pgpass))]);
        assert_eq!(ignored.status.code(), Some(2));
        let said = String::from_utf8_lossy(&ignored.stderr).into_owned();
        assert!(said.contains("chmod 600"), "{said}");
    }
}
