package dev.mkto.server.objects;

import dev.mkto.server.access.Caller;
import dev.mkto.server.http.Echo;
import dev.mkto.server.http.ErrorCode;
import dev.mkto.server.http.MarketoException;
import dev.mkto.server.objects.ObjectRepository.Row;
import dev.mkto.server.objects.Records.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import tools.jackson.databind.JsonNode;

/**
 * The named accounts of named account lists: a page of members, adding and removing accounts
 * by marketoGUID. A list is named by its marketoGUID; an unknown one is 1013.
 */
final class NamedAccountListMembers {

    private final Jdbi jdbi;
    private final ObjectRepository repository;

    NamedAccountListMembers(Jdbi jdbi, ObjectRepository repository) {
        this.jdbi = jdbi;
        this.repository = repository;
    }

    private Row list(Caller caller, String listGuid) {
        ObjectKind lists = StandardKinds.NAMED_ACCOUNT_LIST;
        String key = lists.idFieldDef().key(listGuid);
        return repository.byKeys(lists, caller.instanceId(), new ObjectRepository.ById(false), List.of(key)).values().stream()
                .findFirst().orElseThrow(() -> new MarketoException(ErrorCode.OBJECT_NOT_FOUND, "Object not found: no named account list '"
                        + Echo.of(listGuid) + "'"));
    }

    /** The named accounts of a list, a page at a time. */
    ObjectService.Page page(Caller caller, String listGuid, List<String> fieldNames, int batchSize, String pageToken) {
        ObjectKind accounts = StandardKinds.NAMED_ACCOUNT;
        Row list = list(caller, listGuid);
        List<ObjectField> fields = new ArrayList<>();
        for (String n : fieldNames.isEmpty() ? List.of("marketoGUID", "name", "createdAt", "updatedAt") : fieldNames) {
            ObjectField f = accounts.field(n).orElseThrow(() -> MarketoException.of(ErrorCode.FIELD_NOT_FOUND, Echo.of(n)));
            if (!fields.contains(f)) {
                fields.add(f);
            }
        }
        if (!fields.contains(accounts.idFieldDef())) {
            fields.addFirst(accounts.idFieldDef());
        }
        long after = Records.decodePageToken(pageToken);
        List<Long> ids = repository.memberIds(list.id(), after, batchSize + 1);
        boolean more = ids.size() > batchSize;
        List<Long> page = more ? ids.subList(0, batchSize) : ids;
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row row : repository.byIds(accounts, caller.instanceId(), page).values()) {
            out.add(Records.render(accounts, row, fields, out.size()));
        }
        return new ObjectService.Page(out, more ? Records.encodePageToken(page.getLast()) : null);
    }

    /** Adds ({@code add}) or removes named accounts, given by marketoGUID, to or from a list. */
    List<Map<String, Object>> change(Caller caller, String listGuid, List<Map<String, JsonNode>> input, boolean add) {
        ObjectService.checkBatch(input.size());
        ObjectKind accounts = StandardKinds.NAMED_ACCOUNT;
        return jdbi.inTransaction(h -> {
            Row list = list(caller, listGuid);
            List<ObjectField> key = List.of(accounts.idFieldDef());
            List<Object> keys = new ArrayList<>();
            for (Map<String, JsonNode> item : input) {
                keys.add(item == null ? Reason.INVALID_DATA : ObjectService.keyOf(key, item));
            }
            Map<String, Row> found = repository.byKeys(accounts, caller.instanceId(), new ObjectRepository.ById(false),
                    keys.stream().filter(String.class::isInstance).map(String.class::cast).distinct().toList());
            List<Map<String, Object>> out = new ArrayList<>();
            for (int seq = 0; seq < keys.size(); seq++) {
                Object k = keys.get(seq);
                Row account = k instanceof String s ? found.get(s) : null;
                if (k instanceof Reason r) {
                    out.add(Records.skipped(seq, r));
                } else if (account == null) {
                    out.add(Records.skipped(seq, Reason.NOT_FOUND));
                } else if (add) {
                    repository.addMember(list.id(), account.id());
                    out.add(Records.status(seq, accounts, account.guid(), "added"));
                } else if (repository.removeMember(list.id(), account.id())) {
                    out.add(Records.status(seq, accounts, account.guid(), "removed"));
                } else {
                    out.add(Records.skipped(seq, new Reason("1015", "Named account not in list")));
                }
            }
            return out;
        });
    }
}
