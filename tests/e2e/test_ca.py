"""A certificate authority made at test time with the `openssl` command, in a
temp dir: a CA (EC P-256, self-signed), server certificates for 127.0.0.1 /
localhost and client certificates whose subject CN is a terminal's serial.

    ca = TestCA(os.path.join(ws.path, "ca"))
    tls = ca.server_tls()                      # .cert .key .ca_bundle (.client_ca None)
    tls = ca.server_tls(client_ca=ca.cert)     # also asks clients for a certificate
    cert, key = ca.client_cert("SN-0001")      # a terminal's certificate and key
    other = TestCA(os.path.join(ws.path, "other"), name="someone else")  # a wrong CA

Files are PEM; keys are written 0600. Nothing here talks to the network.
"""
import os
import subprocess
from dataclasses import dataclass
from typing import Optional


def openssl(*args, cwd=None, input=None):
    """Runs `openssl args...`; fails with its output when it fails."""
    p = subprocess.run(["openssl", *args], cwd=cwd, input=input, capture_output=True, timeout=60)
    if p.returncode != 0:
        raise AssertionError(f"openssl {' '.join(args)} failed ({p.returncode}):\n"
                             f"{p.stdout.decode(errors='replace')}{p.stderr.decode(errors='replace')}")
    return p.stdout


def new_key(path, kind="ec"):
    """A private key in PEM at `path` (0600): kind "ec" (P-256), "ed25519" or "rsa" (2048)."""
    if kind == "ec":
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path)
    elif kind == "ed25519":
        openssl("genpkey", "-algorithm", "ED25519", "-out", path)
    elif kind == "rsa":
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path)
    else:
        raise ValueError(kind)
    os.chmod(path, 0o600)
    return path


def fingerprint(cert_path):
    """SHA-256 of the DER certificate, lower-case hex (as Request::peer_cert.sha256)."""
    out = openssl("x509", "-in", cert_path, "-noout", "-fingerprint", "-sha256").decode()
    return out.strip().split("=", 1)[1].replace(":", "").lower()


def serial_hex(cert_path):
    """The certificate's serial number, upper-case hex (as Request::peer_cert.serial_hex)."""
    out = openssl("x509", "-in", cert_path, "-noout", "-serial").decode()
    return out.strip().split("=", 1)[1].upper()


@dataclass
class ServerTls:
    """What a TLS posfleetd needs (cert, key, optional client_ca) and what its
    clients pin (ca_bundle)."""
    cert: str
    key: str
    ca_bundle: str
    client_ca: Optional[str] = None

    def args(self):
        """posfleetd flags for these files."""
        a = ["--tls-cert", self.cert, "--tls-key", self.key]
        if self.client_ca:
            a += ["--tls-client-ca", self.client_ca]
        return a


class TestCA:
    """A CA in `directory` (created): `cert` (ca.pem) and `key` (ca.key)."""

    __test__ = False  # not a unittest/pytest class

    def __init__(self, directory, name="posfleet test CA", days=30):
        self.dir = directory
        os.makedirs(self.dir, exist_ok=True)
        self.name = name
        self.key = new_key(os.path.join(self.dir, "ca.key"))
        self.cert = os.path.join(self.dir, "ca.pem")
        self._serial = 0x1000
        openssl("req", "-x509", "-new", "-key", self.key, "-out", self.cert, "-days", str(days),
                "-subj", "/O=posfleet tests/CN=" + name, "-sha256",
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                "-addext", "subjectKeyIdentifier=hash")

    def _path(self, name, ext):
        return os.path.join(self.dir, f"{name}.{ext}")

    def _sign(self, name, cn, extensions, key_kind="ec", days=30):
        """Makes <name>.key and <name>.pem signed by this CA; returns (cert, key)."""
        key = new_key(self._path(name, "key"), key_kind)
        csr = self._path(name, "csr")
        openssl("req", "-new", "-key", key, "-out", csr, "-subj", "/O=posfleet tests/CN=" + cn)
        ext = self._path(name, "ext")
        with open(ext, "w") as f:
            f.write("\n".join(extensions) + "\n")
        self._serial += 1
        cert = self._path(name, "pem")
        args = ["x509", "-req", "-in", csr, "-CA", self.cert, "-CAkey", self.key,
                "-set_serial", hex(self._serial), "-out", cert, "-extfile", ext, "-sha256",
                "-days", str(days)]
        openssl(*args)
        return cert, key

    def server_cert(self, name="server", hosts=("127.0.0.1", "localhost"), days=30):
        """A TLS server certificate valid for `hosts` (IP addresses or DNS names)."""
        alt = ",".join(("IP:" if h.replace(".", "").isdigit() or ":" in h else "DNS:") + h for h in hosts)
        return self._sign(name, hosts[0], [
            "basicConstraints=critical,CA:FALSE",
            "keyUsage=critical,digitalSignature,keyEncipherment",
            "extendedKeyUsage=serverAuth",
            "subjectAltName=" + alt,
        ], days=days)

    def client_cert(self, cn, name=None, key_kind="ec", days=30):
        """A TLS client certificate with subject CN `cn` (a terminal's serial)."""
        return self._sign(name or "client-" + cn, cn, [
            "basicConstraints=critical,CA:FALSE",
            "keyUsage=critical,digitalSignature",
            "extendedKeyUsage=clientAuth",
        ], key_kind=key_kind, days=days)

    def server_tls(self, name="server", client_ca=None):
        """A fresh server certificate as a ServerTls for Server(tls=...)."""
        cert, key = self.server_cert(name)
        return ServerTls(cert=cert, key=key, ca_bundle=self.cert, client_ca=client_ca)
