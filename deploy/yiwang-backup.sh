#!/bin/sh
# Nightly logical backup of the Yiwang database (yiwang-backup.timer). `make backup-check` runs the
# same pg_dump / pg_restore commands and checks that a restore starts and its histories verify.
# Point-in-time recovery needs WAL archiving besides (docs/deployment.md, "Backups").
set -eu
: "${YIWANG_DATABASE_URL:?}" "${YIWANG_BACKUP_DIR:?}"
keep="${YIWANG_BACKUP_KEEP_DAYS:-35}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$YIWANG_BACKUP_DIR"
out="$YIWANG_BACKUP_DIR/yiwang-$stamp.dump"
pg_dump -Fc --no-owner -f "$out.part" -d "$YIWANG_DATABASE_URL"
pg_restore --list "$out.part" >/dev/null   # the archive is readable
mv "$out.part" "$out"
sha256sum "$out" > "$out.sha256"
# Materials (uploads) are files, not rows: copy them beside the dump (object storage keeps its own versions).
if [ -n "${YIWANG_MEDIA_ROOT:-}" ] && [ -d "$YIWANG_MEDIA_ROOT" ]; then
    tar -C "$YIWANG_MEDIA_ROOT" -czf "$YIWANG_BACKUP_DIR/media-$stamp.tar.gz" .
fi
find "$YIWANG_BACKUP_DIR" -name 'yiwang-*.dump*' -mtime +"$keep" -delete
find "$YIWANG_BACKUP_DIR" -name 'media-*.tar.gz' -mtime +"$keep" -delete
echo "backup $out ($(du -h "$out" | cut -f1))"
