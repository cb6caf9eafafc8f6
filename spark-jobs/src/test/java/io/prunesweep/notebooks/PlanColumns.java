package io.prunesweep.notebooks;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.AttributeReference;
import org.apache.spark.sql.catalyst.expressions.ExprId;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.SubqueryExpression;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.SubqueryAlias;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The columns a query reads from each view, from Spark's analyzed plan: attribute references,
 * subqueries included, traced back to the output of the view's own node. Aliases the query defines
 * are not columns of a view and are left out; so is everything a view holds but the query never
 * touches.
 */
final class PlanColumns {
    private PlanColumns() {}

    static Map<String, Set<String>> referenced(Dataset<Row> query, Set<String> views) {
        Map<ExprId, String[]> viewColumns = new HashMap<>();
        Set<ExprId> used = new HashSet<>();
        walk(query.queryExecution().analyzed(), views, viewColumns, used);
        Map<String, Set<String>> out = new TreeMap<>();
        for (ExprId id : used) {
            String[] viewColumn = viewColumns.get(id);
            if (viewColumn != null) {
                out.computeIfAbsent(viewColumn[0], v -> new TreeSet<>()).add(viewColumn[1]);
            }
        }
        return out;
    }

    private static void walk(
            LogicalPlan plan,
            Set<String> views,
            Map<ExprId, String[]> viewColumns,
            Set<ExprId> used) {
        if (plan instanceof SubqueryAlias alias && views.contains(alias.alias())) {
            for (Attribute a : CollectionConverters.asJava(alias.output())) {
                viewColumns.put(a.exprId(), new String[] {alias.alias(), a.name()});
            }
            return; // the view's own definition reads every column; only what is above it counts
        }
        for (Expression e : CollectionConverters.asJava(plan.expressions())) {
            walk(e, views, viewColumns, used);
        }
        for (LogicalPlan child : CollectionConverters.asJava(plan.children())) {
            walk(child, views, viewColumns, used);
        }
    }

    private static void walk(
            Expression e, Set<String> views, Map<ExprId, String[]> viewColumns, Set<ExprId> used) {
        if (e instanceof AttributeReference a) {
            used.add(a.exprId());
        }
        if (e instanceof SubqueryExpression s) {
            walk(s.plan(), views, viewColumns, used);
        }
        for (Expression child : CollectionConverters.asJava(e.children())) {
            walk(child, views, viewColumns, used);
        }
    }
}
