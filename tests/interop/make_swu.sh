#!/bin/sh
# make_swu.sh OUTDIR [HEADER URL SOURCE]
#
# Builds a tiny CMS-signed SWUpdate image for the posfleet interop test:
#   OUTDIR/test.swu   cpio (newc) archive: sw-description, sw-description.sig,
#                     payload.txt -- in that order, because swupdate parses the
#                     stream front to back and must verify sw-description
#                     before it accepts any image.
#   OUTDIR/cert.pem   self-signed signer certificate; pass to swupdate -k.
#   OUTDIR/key.pem    its private key (only needed to re-sign).
#
# Safety: the single image uses the "rawfile" handler with a destination
# *inside OUTDIR* (OUTDIR/installed/payload.txt).  With -n (dry run)
# swupdate swaps every handler for "dummy" and writes nothing at all; even
# without -n the only file it could create lives under OUTDIR.
#
# With HEADER URL SOURCE, the image is a zchunk delta instead (swupdate's "delta" handler):
# the .swu carries the .zck's HEADER as its one file (named image.zck.header), swupdate fetches
# the chunks SOURCE lacks from URL, and the chained "rawfile" handler writes the assembled
# image to OUTDIR/installed/image.bin. Run without -n for it to install.
#
# SWU_PAYLOAD=FILE makes FILE the payload (a large one lets two releases share most bytes, so
# posfleet can make a delta patch between them); a key.pem and cert.pem already in OUTDIR sign.
#
# The image is only accepted on board "posfleet-sim", hardware revision
# "1.0" (swupdate -H posfleet-sim:1.0): the images sit in a board-specific
# section so another board name finds nothing to install, and
# hardware-compatibility rejects other revisions.
set -eu

if [ $# -ne 1 ] && [ $# -ne 4 ]; then
	echo "usage: $0 OUTDIR [HEADER URL SOURCE]" >&2
	exit 2
fi

mkdir -p "$1"
OUTDIR=$(cd "$1" && pwd)
WORK="$OUTDIR/swu-build"
rm -rf "$WORK" "$OUTDIR/installed"
mkdir -p "$WORK"

# rawfile paths are copied into a 255-byte buffer by the handler.
DEST="$OUTDIR/installed/payload.txt"
if [ ${#DEST} -gt 200 ]; then
	echo "OUTDIR path too long for the rawfile handler: $OUTDIR" >&2
	exit 1
fi

if [ $# -eq 4 ]; then
	FILE=image.zck.header
	cp "$2" "$WORK/$FILE"
	SHA=$(sha256sum "$WORK/$FILE" | cut -d' ' -f1)
	cat > "$WORK/sw-description" <<DESC
software =
{
	version = "1.0.0";
	description = "posfleet zchunk delta interop image (harmless)";

	posfleet-sim = {
		hardware-compatibility: [ "1.0" ];
		images: (
			{
				filename = "$FILE";
				type = "delta";
				path = "$OUTDIR/installed/image.bin";
				sha256 = "$SHA";
				properties: {
					url = "$3";
					source = "$4";
					chain = "rawfile";
					create-destination = "true";
					zckloglevel = "error";
				};
			}
		);
	};
}
DESC
else
FILE=payload.txt
if [ -n "${SWU_PAYLOAD:-}" ]; then
	cp "$SWU_PAYLOAD" "$WORK/payload.txt"
else
	printf 'posfleet interop payload\n' > "$WORK/payload.txt"
fi
# Signed images make sha256 mandatory for every artifact.
SHA=$(sha256sum "$WORK/payload.txt" | cut -d' ' -f1)

cat > "$WORK/sw-description" <<DESC
software =
{
	version = "1.0.0";
	description = "posfleet interop test image (harmless)";

	posfleet-sim = {
		hardware-compatibility: [ "1.0" ];
		images: (
			{
				filename = "payload.txt";
				type = "rawfile";
				path = "$DEST";
				sha256 = "$SHA";
				properties: {
					create-destination = "true";
				};
			}
		);
	};
}
DESC
fi

# swupdate (CMS mode) by default demands the emailProtection purpose on the
# signer certificate (--cert-purpose), hence the extendedKeyUsage.
# A signer already in OUTDIR signs again, so that two images can share one.
if [ ! -f "$OUTDIR/key.pem" ] || [ ! -f "$OUTDIR/cert.pem" ]; then
	openssl req -x509 -newkey rsa:2048 -nodes -days 3650 \
		-subj "/CN=posfleet-interop-test" \
		-addext "extendedKeyUsage=emailProtection" \
		-keyout "$OUTDIR/key.pem" -out "$OUTDIR/cert.pem" 2>/dev/null
fi

openssl cms -sign -in "$WORK/sw-description" -out "$WORK/sw-description.sig" \
	-signer "$OUTDIR/cert.pem" -inkey "$OUTDIR/key.pem" \
	-outform DER -nosmimecap -binary

# cpio takes the member order from stdin; keep sw-description first.
(cd "$WORK" && printf '%s\n' sw-description sw-description.sig "$FILE" |
	cpio -o -H newc --quiet > "$OUTDIR/test.swu")

echo "$OUTDIR/test.swu"
