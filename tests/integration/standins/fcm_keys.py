"""Throwaway service-account credentials for the FCM tests: an RSA key pair made with the
openssl command-line tool and a Google-shaped service-account JSON file around it.

    sa = make_service_account(tmp_dir, project="nerutalk-test")
    sa.path, sa.public_key_path, sa.client_email, sa.key_id, sa.token_uri

Run as a script (fcm_keys.py DIR [PROJECT]) it writes them to DIR and prints the file paths,
the client_email and the key id, one a line.
"""
import json
import os
import subprocess
import sys
import uuid
from types import SimpleNamespace

GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"


def make_rsa_key(directory, name):
    """(private PEM path, public PEM path) of a fresh 2048-bit RSA key in `directory`."""
    private = os.path.join(directory, name + ".pem")
    public = os.path.join(directory, name + ".pub.pem")
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                    "-out", private], check=True, capture_output=True)
    subprocess.run(["openssl", "pkey", "-in", private, "-pubout", "-out", public], check=True,
                   capture_output=True)
    return private, public


def make_service_account(directory, project="nerutalk-test", token_uri=GOOGLE_TOKEN_URI,
                         name="service-account"):
    """A service-account JSON file (type, project_id, private_key_id, private_key,
    client_email, client_id, token_uri, ...) with a new key; the public half is beside it."""
    private, public = make_rsa_key(directory, name)
    with open(private) as f:
        private_pem = f.read()
    key_id = uuid.uuid4().hex
    email = "firebase-adminsdk-test@%s.iam.gserviceaccount.com" % project
    doc = {
        "type": "service_account",
        "project_id": project,
        "private_key_id": key_id,
        "private_key": private_pem,
        "client_email": email,
        "client_id": str(uuid.uuid4().int)[:21],
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
    }
    path = os.path.join(directory, name + ".json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=2)
    os.chmod(path, 0o600)
    return SimpleNamespace(path=path, public_key_path=public, private_key_path=private,
                           client_email=email, key_id=key_id, project=project,
                           token_uri=token_uri)


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: fcm_keys.py DIR [PROJECT]")
    sa = make_service_account(sys.argv[1], *sys.argv[2:])
    print(sa.path)
    print(sa.public_key_path)
    print(sa.client_email)
    print(sa.key_id)
