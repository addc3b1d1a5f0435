# SPDX-License-Identifier: GPL-2.0
#
# Sourced by scripts/setup.sh: apt on a private configuration (sources,
# lists, caches and hooks in one directory of the cache), for archives the
# machine's own apt does not use (bookworm-backports, trixie), so the
# machine's apt state is left as it was.

# debian_source CODENAME: "URI KEYRING" of the archive the machine's own apt
# sources use for CODENAME (deb822 .sources and one-line .list files alike;
# KEYRING may be empty), so a private list goes wherever the machine's apt
# already goes and trusts the same key.
debian_source() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v rel="$1" '
			function flush() {
				if (uri != "" && has_rel && en != "no" && types ~ /(^| )deb( |$)/)
					print uri, key
				uri = key = types = en = ""; has_rel = 0
			}
			/^[ \t]*#/ { next }
			/^[ \t]*$/ { flush(); next }
			{ f = tolower($1) }
			f == "types:" { types = $0 }
			f == "enabled:" { en = tolower($2) }
			f == "uris:" { uri = $2 }
			f == "signed-by:" { key = $2 }
			f == "suites:" {
				for (i = 2; i <= NF; i++)
					if ($i == rel)
						has_rel = 1
			}
			END { flush() }
		' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		# deb [opt=value ...] URI SUITE COMPONENT...
		sed 's/#.*//' "$f" | awk -v rel="$1" '
			$1 != "deb" { next }
			{ key = ""; i = 2 }
			$2 ~ /^\[/ {
				for (; i <= NF; i++) {
					if ($i ~ /^\[?signed-by=/) {
						key = $i
						sub(/^\[?signed-by=/, "", key)
						sub(/\]$/, "", key)
					}
					if ($i ~ /\]$/)
						break
				}
				i++
			}
			$(i + 1) == rel { print $i, key }'
	done
}

# private_apt DIR "ARCH..." "SOURCES.LIST LINE"...: a fresh configuration
# in DIR (DIR/apt.conf, for apt-get -c). It is read after the machine's
# apt.conf.d, so a proxy set there still applies; #clear drops list-update
# hooks that would tell the machine's package tools about lists they never
# see.
private_apt() {
	local a=$1 archs=$2 arch
	shift 2
	rm -rf "$a"
	mkdir -p "$a/lists/partial" "$a/archives/partial" "$a/parts" "$a/debs"
	printf '%s\n' "$@" >"$a/sources.list"
	: >"$a/status"
	cat >"$a/apt.conf" <<-EOC
		Dir::Etc::SourceList "$a/sources.list";
		Dir::Etc::SourceParts "$a/parts";
		Dir::State "$a";
		Dir::State::Lists "$a/lists";
		Dir::State::status "$a/status";
		Dir::Cache "$a";
		Dir::Cache::Archives "$a/archives";
		Dir::Cache::pkgcache "";
		Dir::Cache::srcpkgcache "";
		#clear APT::Architectures;
		APT::Architectures { $(for arch in $archs; do printf '"%s"; ' "$arch"; done)};
		#clear APT::Update::Post-Invoke;
		#clear APT::Update::Post-Invoke-Success;
		APT::Sandbox::User "root";
	EOC
}
