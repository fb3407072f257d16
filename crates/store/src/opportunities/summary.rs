//! Home's figures: open opportunities by stage with their count and amount
//! per currency, and the pipeline total.
//!
//! Amounts are summed by the database in two exact parts (millions and the
//! rest of each amount) and put together in Rust as `i128`, so no number of
//! opportunities overflows a 64-bit sum on either backend.

use openprm_domain::{UserId, Viewer, money::Currency};

use crate::{
    Store, StoreError, on_db,
    scope::{bind_scope, owned_record_clause},
};

/// One open stage: how many deals, and their amounts per currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageTotal {
    pub stage: String,
    pub count: i64,
    /// Minor units per currency, by currency code.
    pub amounts: Vec<(Currency, i128)>,
}

/// Open opportunities by stage, in picklist order (stages without any are
/// left out), and the total per currency.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pipeline {
    pub stages: Vec<StageTotal>,
    pub totals: Vec<(Currency, i128)>,
    pub count: i64,
}

/// Stage, currency, count, and the sums of millions and of the rest, as text.
type TotalRow = (String, String, i64, Option<String>, Option<String>);

fn add(amounts: &mut Vec<(Currency, i128)>, currency: Currency, minor: i128) {
    match amounts.iter_mut().find(|(c, _)| *c == currency) {
        Some((_, sum)) => *sum += minor,
        None => {
            amounts.push((currency, minor));
            amounts.sort_by_key(|(c, _)| c.code());
        }
    }
}

impl Store {
    /// The open pipeline the caller can see, or only what `owner` owns of it.
    pub async fn open_pipeline(
        &self,
        viewer: &Viewer,
        owner: Option<UserId>,
    ) -> Result<Pipeline, StoreError> {
        let clause = owned_record_clause(viewer, "o", 2);
        let owner_condition = if owner.is_some() {
            "o.owner_id = $1"
        } else {
            "$1 = $1"
        };
        let sql = format!(
            "SELECT o.stage, o.currency, COUNT(*), CAST(SUM(o.amount_minor / 1000000) AS TEXT), \
             CAST(SUM(o.amount_minor % 1000000) AS TEXT) FROM opportunities o \
             WHERE o.stage IN (SELECT st.key FROM opportunity_stages st WHERE st.outcome = 'open') \
             AND {owner_condition} AND {} GROUP BY o.stage, o.currency",
            clause.sql
        );
        let bound = owner.unwrap_or(viewer.user_id).0;
        let rows: Vec<TotalRow> = on_db!(self, pool => {
            let q = sqlx::query_as(&sql).bind(bound);
            bind_scope!(q, clause).fetch_all(pool).await
        })?;
        let stages = self.opportunity_stages().await?;
        let mut pipeline = Pipeline::default();
        for stage in stages.iter().filter(|s| s.is_open()) {
            let mut total = StageTotal {
                stage: stage.key.clone(),
                count: 0,
                amounts: Vec::new(),
            };
            for (_, code, count, millions, rest) in rows.iter().filter(|r| r.0 == stage.key) {
                total.count += count;
                let part = |v: &Option<String>| {
                    v.as_deref()
                        .and_then(|t| t.trim().parse::<i128>().ok())
                        .unwrap_or(0)
                };
                let (Some(currency), true) =
                    (Currency::parse(code), millions.is_some() || rest.is_some())
                else {
                    continue;
                };
                let minor = part(millions) * 1_000_000 + part(rest);
                add(&mut total.amounts, currency, minor);
                add(&mut pipeline.totals, currency, minor);
            }
            if total.count > 0 {
                pipeline.count += total.count;
                pipeline.stages.push(total);
            }
        }
        Ok(pipeline)
    }
}
