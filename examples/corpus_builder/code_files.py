"""jsonl/code.jsonl.gz: source files from invented repositories, one licence case each.

The code is data, not part of this builder: it is stored as text records.
"""

from __future__ import annotations

from .primitives import Corpus, Expect, gzip_bytes, jsonl

CODE_FILES = [
    (
        "c-001",
        "tidewater-tools/tidewater-tools",
        "src/tidewater/slugify.py",
        "python",
        '''\
# SPDX-License-Identifier: MIT
# Copyright (c) 2022 The Tidewater Tools contributors
"""Turn titles into URL slugs."""

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(title: str, max_length: int = 60) -> str:
    """Lower-case ASCII slug: 'Tide Tables (1936)' -> 'tide-tables-1936'."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = _NON_WORD.sub("-", ascii_title.lower()).strip("-")
    return slug[:max_length].rstrip("-")
''',
        "allow",
        ["license.open-source"],
        "MIT",
        "SPDX-License-Identifier: MIT header",
    ),
    (
        "c-002",
        "kestrel-labs/gatekeeper",
        "internal/ratelimit/bucket.go",
        "go",
        """\
// Copyright 2023 Kestrel Labs
// SPDX-License-Identifier: Apache-2.0

// Package ratelimit implements a token bucket.
package ratelimit

import (
	"sync"
	"time"
)

// Bucket refills at Rate tokens per second up to Burst.
type Bucket struct {
	mu     sync.Mutex
	Rate   float64
	Burst  float64
	tokens float64
	last   time.Time
}

// Allow reports whether one token is available now and takes it if so.
func (b *Bucket) Allow(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.last.IsZero() {
		b.tokens, b.last = b.Burst, now
	}
	b.tokens += now.Sub(b.last).Seconds() * b.Rate
	if b.tokens > b.Burst {
		b.tokens = b.Burst
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
""",
        "allow",
        ["license.open-source"],
        "Apache-2.0",
        "SPDX-License-Identifier: Apache-2.0 header",
    ),
    (
        "c-003",
        "brackwater/ringlog",
        "src/ringbuf.c",
        "c",
        """\
/* SPDX-License-Identifier: GPL-3.0-only
 *
 * ringbuf.c - fixed-size byte ring buffer for the ringlog daemon.
 * Copyright (C) 2021 Brackwater Instruments contributors
 */
#include <stddef.h>
#include <string.h>

#include "ringbuf.h"

size_t ringbuf_write(struct ringbuf *rb, const unsigned char *data, size_t len)
{
	size_t written = 0;

	while (written < len && rb->count < rb->size) {
		rb->buf[rb->head] = data[written++];
		rb->head = (rb->head + 1) % rb->size;
		rb->count++;
	}
	return written;
}

size_t ringbuf_read(struct ringbuf *rb, unsigned char *out, size_t len)
{
	size_t n = 0;

	while (n < len && rb->count > 0) {
		out[n++] = rb->buf[rb->tail];
		rb->tail = (rb->tail + 1) % rb->size;
		rb->count--;
	}
	return n;
}
""",
        "allow",
        ["license.open-source"],
        "GPL-3.0-only",
        "SPDX-License-Identifier: GPL-3.0-only header (copyleft)",
    ),
    (
        "c-004",
        "dmarsh/dotfiles",
        "bin/deploy-helpers.sh",
        "shell",
        """\
#!/usr/bin/env bash
# Helpers I source before deploying the side projects. Use at your own risk.
set -euo pipefail

wait_for_port() {
  local host=$1 port=$2 tries=${3:-30}
  for _ in $(seq "$tries"); do
    if (echo > "/dev/tcp/$host/$port") 2>/dev/null; then return 0; fi
    sleep 1
  done
  echo "timed out waiting for $host:$port" >&2
  return 1
}

current_sha() { git rev-parse --short HEAD; }
""",
        "deny",
        ["license.unknown"],
        None,
        "source file with no licence header (and no licence field)",
    ),
    (
        "c-005",
        "northwind-ledger/billing-core",
        "src/rules/lateFees.ts",
        "typescript",
        """\
// SPDX-License-Identifier: LicenseRef-Northwind-Proprietary
// Copyright (c) 2023 Northwind Ledger Systems Ltd. All rights reserved.
// CONFIDENTIAL - do not distribute outside Northwind Ledger Systems.

export interface Invoice {
  dueDate: Date;
  amountCents: number;
}

export function lateFeeCents(invoice: Invoice, today: Date): number {
  const msPerDay = 24 * 60 * 60 * 1000;
  const daysLate = Math.floor((today.getTime() - invoice.dueDate.getTime()) / msPerDay);
  if (daysLate <= 14) return 0;
  return Math.min(Math.round(invoice.amountCents * 0.015), 5000);
}
""",
        "deny",
        ["copyright.all-rights-reserved"],
        None,
        "proprietary file: LicenseRef-* SPDX id plus 'All rights reserved. CONFIDENTIAL'",
    ),
    (
        "c-006",
        "fennick/csvsniff",
        "src/delimiter.rs",
        "rust",
        """\
// SPDX-License-Identifier: Apache-2.0 OR MIT

/// Guess the delimiter of a CSV sample by counting candidates on the first lines.
pub fn guess_delimiter(sample: &str) -> u8 {
    let candidates = [b',', b';', b'\\t', b'|'];
    let lines: Vec<&str> = sample.lines().take(10).collect();
    let mut best = (b',', 0usize);
    for &c in &candidates {
        let counts: Vec<usize> = lines.iter().map(|l| l.bytes().filter(|&b| b == c).count()).collect();
        let consistent = counts.windows(2).all(|w| w[0] == w[1]);
        if consistent && counts.first().copied().unwrap_or(0) > best.1 {
            best = (c, counts[0]);
        }
    }
    best.0
}
""",
        "allow",
        ["license.open-source"],
        "Apache-2.0 OR MIT",
        "SPDX expression 'Apache-2.0 OR MIT'",
    ),
]


def build_code(c: Corpus) -> None:
    records = []
    for cid, repo, path, lang, text, decision, reasons, spdx, case in CODE_FILES:
        records.append({"id": cid, "repo": repo, "path": path, "lang": lang, "text": text})
        c.add(
            Expect(
                "jsonl/code.jsonl.gz",
                case,
                decision,
                reasons,
                record=f"#{cid}",
                license=spdx,
                notes="obligation: keep the licence notice (attribution file)" if decision == "allow" else "",
            )
        )
    c.write("jsonl/code.jsonl.gz", gzip_bytes(jsonl(records)))
