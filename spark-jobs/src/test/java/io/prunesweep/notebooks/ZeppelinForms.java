package io.prunesweep.notebooks;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Zeppelin's form templates in paragraph text, resolved as Zeppelin does before a %spark.sql
 * paragraph runs: {@code ${name=default}} (text box), {@code ${name=default,a|b|c}} (select),
 * {@code ${checkbox:name=a|b,a|b|c}} take the paragraph's value or the default; {@code $${...}} are
 * note-level forms and take the note's value. Same patterns as org.apache.zeppelin.display.Input.
 */
final class ZeppelinForms {
    private static final Pattern PARAGRAPH_FORM =
            Pattern.compile("([_])?[$][{]([^=}]*([=][^}]*)?)[}]");
    private static final Pattern NOTE_FORM =
            Pattern.compile("([_])?[$]{2}[{]([^=}]*([=][^}]*)?)[}]");

    private ZeppelinForms() {}

    /** A form as written: its name, type (textbox, select, checkbox) and default value. */
    record Form(String name, String type, String defaultValue) {}

    /** Paragraph-level forms of a text, by name. */
    static Map<String, Form> paragraphForms(String text) {
        Map<String, Form> out = new LinkedHashMap<>();
        Matcher m = PARAGRAPH_FORM.matcher(text);
        while (m.find()) {
            if (m.start() > 0 && text.charAt(m.start() - 1) == '$') {
                continue; // $${...}: a note form
            }
            Form f = parse(m.group(2));
            out.put(f.name(), f);
        }
        return out;
    }

    /** The text with note forms, then paragraph forms, replaced by their values (or defaults). */
    static String substitute(
            String text, Map<String, String> noteParams, Map<String, String> paragraphParams) {
        String noteDone = replace(text, NOTE_FORM, noteParams, false);
        return replace(noteDone, PARAGRAPH_FORM, paragraphParams, true);
    }

    private static String replace(
            String text, Pattern pattern, Map<String, String> values, boolean skipNoteForms) {
        StringBuilder sb = new StringBuilder();
        Matcher m = pattern.matcher(text);
        int last = 0;
        while (m.find()) {
            if (skipNoteForms && m.start() > 0 && text.charAt(m.start() - 1) == '$') {
                continue;
            }
            Form f = parse(m.group(2));
            sb.append(text, last, m.start())
                    .append(values.getOrDefault(f.name(), f.defaultValue()));
            last = m.end();
        }
        return sb.append(text.substring(last)).toString();
    }

    private static Form parse(String inside) {
        int eq = inside.indexOf('=');
        String namePart = eq < 0 ? inside : inside.substring(0, eq);
        String valuePart = eq < 0 ? "" : inside.substring(eq + 1);
        String type = "textbox";
        int colon = namePart.indexOf(':');
        if (colon >= 0) {
            type = namePart.substring(0, colon).replaceAll("\\(.*\\)", "").strip();
            namePart = namePart.substring(colon + 1);
        }
        String name = namePart.replaceAll("\\(.*\\)", "").strip();
        int comma = valuePart.indexOf(',');
        if (comma >= 0 && type.equals("textbox")) {
            type = "select";
        }
        String defaultValue = comma < 0 ? valuePart : valuePart.substring(0, comma);
        if (type.equals("checkbox")) {
            defaultValue = defaultValue.replace('|', ',');
        }
        return new Form(name, type, defaultValue);
    }
}
