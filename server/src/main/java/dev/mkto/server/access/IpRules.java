package dev.mkto.server.access;

import dev.mkto.server.http.Echo;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A compiled IP allowlist. Entries are single IPv4 or IPv6 addresses, ranges
 * ({@code 192.168.1.10-192.168.1.20}), IPv4 wildcards ({@code 10.0.*.*}) and CIDR blocks
 * ({@code 2001:db8::/32}). Every entry becomes an inclusive range of 16-byte addresses (IPv4 as
 * IPv4-mapped IPv6), so a check is a few array comparisons. Parsing never resolves host names.
 */
public final class IpRules {

    /** One entry, as written and as a range. */
    private record Range(String entry, byte[] low, byte[] high) {
    }

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV4_WILDCARD = Pattern.compile("(\\d{1,3}|\\*)(\\.(\\d{1,3}|\\*)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    public static final IpRules NONE = new IpRules(List.of());

    private final List<Range> ranges;

    private IpRules(List<Range> ranges) {
        this.ranges = ranges;
    }

    /** Compiles entries; the first that is not one of the accepted forms is refused, named in the message. */
    public static IpRules compile(List<String> entries) {
        List<Range> ranges = new ArrayList<>();
        for (String raw : entries) {
            String entry = raw.strip();
            ranges.add(parse(entry).orElseThrow(() -> new IllegalArgumentException("'" + Echo.of(entry)
                    + "' is not an IP address, a range (a-b), an IPv4 wildcard (10.0.*.*) or a CIDR block (10.0.0.0/8, 2001:db8::/32)")));
        }
        return new IpRules(List.copyOf(ranges));
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    /** Whether {@code address} falls in any entry. */
    public boolean allows(InetAddress address) {
        return matching(address).isPresent();
    }

    /** The first entry {@code address} falls in. */
    public Optional<String> matching(InetAddress address) {
        byte[] a = to16(address.getAddress());
        for (Range r : ranges) {
            if (compare(a, r.low()) >= 0 && compare(a, r.high()) <= 0) {
                return Optional.of(r.entry());
            }
        }
        return Optional.empty();
    }

    /** A literal IPv4 or IPv6 address (brackets and an IPv6 zone allowed); never a DNS lookup. */
    public static Optional<InetAddress> literal(String text) {
        String s = text.strip();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        int zone = s.indexOf('%');
        if (zone >= 0) {
            s = s.substring(0, zone);
        }
        if (IPV4.matcher(s).matches()) {
            for (String part : s.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    return Optional.empty();
                }
            }
        } else if (!IPV6.matcher(s).matches() || s.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(s)); // a literal: no lookup happens
        } catch (UnknownHostException | SecurityException e) {
            return Optional.empty();
        }
    }

    private static Optional<Range> parse(String entry) {
        if (entry.isEmpty()) {
            return Optional.empty();
        }
        int slash = entry.indexOf('/');
        if (slash >= 0) {
            Optional<InetAddress> base = literal(entry.substring(0, slash));
            if (base.isEmpty()) {
                return Optional.empty();
            }
            int bits;
            try {
                bits = Integer.parseInt(entry.substring(slash + 1).strip());
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
            int familyBits = base.get().getAddress().length * 8;
            if (bits < 0 || bits > familyBits) {
                return Optional.empty();
            }
            byte[] low = to16(base.get().getAddress());
            byte[] high = low.clone();
            int prefix = bits + (128 - familyBits);
            for (int i = prefix; i < 128; i++) {
                low[i / 8] &= (byte) ~(0x80 >>> (i % 8));
                high[i / 8] |= (byte) (0x80 >>> (i % 8));
            }
            return Optional.of(new Range(entry, low, high));
        }
        int dash = entry.indexOf('-');
        if (dash > 0) {
            Optional<InetAddress> a = literal(entry.substring(0, dash));
            Optional<InetAddress> b = literal(entry.substring(dash + 1));
            if (a.isEmpty() || b.isEmpty() || a.get().getAddress().length != b.get().getAddress().length) {
                return Optional.empty();
            }
            byte[] low = to16(a.get().getAddress());
            byte[] high = to16(b.get().getAddress());
            return compare(low, high) <= 0 ? Optional.of(new Range(entry, low, high)) : Optional.empty();
        }
        if (entry.contains("*")) {
            if (!IPV4_WILDCARD.matcher(entry).matches()) {
                return Optional.empty();
            }
            String[] parts = entry.split("\\.");
            byte[] low = new byte[4];
            byte[] high = new byte[4];
            boolean wild = false;
            for (int i = 0; i < 4; i++) {
                if (parts[i].equals("*")) {
                    wild = true;
                    high[i] = (byte) 255;
                } else {
                    if (wild) {
                        return Optional.empty(); // 10.*.0.1 is not a block
                    }
                    int v = Integer.parseInt(parts[i]);
                    if (v > 255) {
                        return Optional.empty();
                    }
                    low[i] = (byte) v;
                    high[i] = (byte) v;
                }
            }
            return Optional.of(new Range(entry, to16(low), to16(high)));
        }
        return literal(entry).map(a -> new Range(entry, to16(a.getAddress()), to16(a.getAddress())));
    }

    /** IPv4 as IPv4-mapped IPv6 (::ffff:a.b.c.d), so both families compare in one space. */
    private static byte[] to16(byte[] address) {
        if (address.length == 16) {
            return address.clone();
        }
        byte[] out = new byte[16];
        out[10] = (byte) 0xff;
        out[11] = (byte) 0xff;
        System.arraycopy(address, 0, out, 12, 4);
        return out;
    }

    private static int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }

}
