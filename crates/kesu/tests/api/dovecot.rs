//! A real IMAP server for the mailbox tests: Debian's dovecot (package `dovecot-imapd`) run
//! in the foreground from a folder of its own, IMAP over TLS only, with one test user and a
//! maildir the test drops messages into. Its certificate is made by `openssl` for
//! `localhost`; kesu is told to trust it with `KESU_IMAP_CA_FILE`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const DOVECOT: &str = "/usr/sbin/dovecot";
pub const USER: &str = "service@shop.example";
pub const PASSWORD: &str = "mailbox-pass-1";

pub struct Dovecot {
    child: Child,
    pub port: u16,
    pub ca_file: PathBuf,
    maildir: PathBuf,
    owner: (u32, u32),
    serial: u32,
    _dir: tempfile::TempDir,
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// Whether dovecot is here; without it the test is skipped, saying so, unless
/// `KESU_REQUIRE_PEERS=1` (as `.ci/run` sets), which makes the skip a failure.
pub fn available() -> bool {
    if Path::new(DOVECOT).exists() {
        return true;
    }
    assert!(
        std::env::var("KESU_REQUIRE_PEERS").as_deref() != Ok("1"),
        "KESU_REQUIRE_PEERS=1 but {DOVECOT} is missing (apt-get install dovecot-imapd)"
    );
    eprintln!("SKIPPED: mailbox (apt-get install dovecot-imapd to run it)");
    false
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run a command");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Dovecot {
    /// Starts dovecot and waits until it answers on its TLS port.
    pub async fn start() -> Dovecot {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        // A test CA, and the server's certificate for localhost signed by it.
        let ca_file = root.join("ca.pem");
        let openssl = |args: &[&str], files: &[(&str, &str)]| {
            let mut cmd = Command::new("openssl");
            cmd.args(args);
            for (flag, name) in files {
                cmd.arg(flag).arg(root.join(name));
            }
            run(&mut cmd);
        };
        openssl(
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=kesu test CA",
            ],
            &[("-keyout", "ca.key"), ("-out", "ca.pem")],
        );
        openssl(
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                "/CN=localhost",
            ],
            &[("-keyout", "key.pem"), ("-out", "server.csr")],
        );
        std::fs::write(
            root.join("server.ext"),
            "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n\
             extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n",
        )
        .unwrap();
        openssl(
            &["x509", "-req", "-days", "2", "-CAcreateserial"],
            &[
                ("-in", "server.csr"),
                ("-CA", "ca.pem"),
                ("-CAkey", "ca.key"),
                ("-extfile", "server.ext"),
                ("-out", "cert.pem"),
            ],
        );
        // As root, mail belongs to the package's own `dovecot` user; otherwise to whoever
        // runs the tests.
        let me = run(Command::new("id").arg("-un"));
        let (mail_user, login_user) = if me == "root" {
            ("dovecot".to_owned(), "dovenull".to_owned())
        } else {
            (me.clone(), me)
        };
        let uid: u32 = run(Command::new("id").args(["-u", &mail_user]))
            .parse()
            .unwrap();
        let gid: u32 = run(Command::new("id").args(["-g", &mail_user]))
            .parse()
            .unwrap();
        let home = root.join("home");
        let maildir = home.join("Maildir");
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(maildir.join(sub)).unwrap();
        }
        for path in [
            &home,
            &maildir,
            &maildir.join("cur"),
            &maildir.join("new"),
            &maildir.join("tmp"),
        ] {
            std::os::unix::fs::chown(path, Some(uid), Some(gid)).unwrap();
        }
        // The test folder is private to whoever made it; dovecot's users must pass through.
        std::fs::set_permissions(root, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        std::fs::write(root.join("passwd"), format!("{USER}:{{PLAIN}}{PASSWORD}\n")).unwrap();
        let port = free_port();
        let r = root.display();
        let conf = format!(
            "protocols = imap\nlisten = 127.0.0.1\nbase_dir = {r}/run\nstate_dir = {r}/state\n\
             instance_name = kesu-test-{port}\nlog_path = {r}/dovecot.log\n\
             ssl = required\nssl_cert = <{r}/cert.pem\nssl_key = <{r}/key.pem\n\
             disable_plaintext_auth = yes\nauth_mechanisms = plain login\n\
             default_internal_user = {mail_user}\ndefault_internal_group = {mail_user}\n\
             default_login_user = {login_user}\nfirst_valid_uid = 1\n\
             mail_location = maildir:{maildir}\n\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {r}/passwd\n}}\n\
             userdb {{\n  driver = static\n  args = uid={uid} gid={gid} home={home}\n}}\n\
             service imap-login {{\n  chroot =\n  inet_listener imap {{\n    port = 0\n  }}\n  \
             inet_listener imaps {{\n    port = {port}\n    ssl = yes\n  }}\n}}\n\
             service anvil {{\n  chroot =\n}}\n",
            maildir = maildir.display(),
            home = home.display(),
        );
        std::fs::write(root.join("dovecot.conf"), conf).unwrap();
        let child = Command::new(DOVECOT)
            .arg("-F")
            .arg("-c")
            .arg(root.join("dovecot.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dovecot");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Dovecot {
            child,
            port,
            ca_file,
            maildir,
            owner: (uid, gid),
            serial: 0,
            _dir: dir,
        }
    }

    /// Delivers a raw message to the inbox, as a mail server would (written to `tmp`, then
    /// moved to `new`).
    pub fn deliver(&mut self, raw: &[u8]) {
        self.serial += 1;
        let name = format!("17650000{:02}.M{}P1.kesu-test", self.serial, self.serial);
        let tmp = self.maildir.join("tmp").join(&name);
        std::fs::write(&tmp, raw).unwrap();
        std::os::unix::fs::chown(&tmp, Some(self.owner.0), Some(self.owner.1)).unwrap();
        std::fs::rename(&tmp, self.maildir.join("new").join(&name)).unwrap();
    }

    /// Stops the server (to see kesu cope with it gone).
    pub fn stop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}
