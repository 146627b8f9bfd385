/*
 * include/siyu/load/actions.h — the action lists' configuration in the warehouse
 * (docs/actions.md): [actions] care_steps and at_risk_segments in etl.setting,
 * the [audience.NAME] sections in etl.audience, which the kpi views read.
 */
#ifndef SIYU_LOAD_ACTIONS_H
#define SIYU_LOAD_ACTIONS_H

#include "siyu/common/config.h"

#include <libpq-fe.h>

/*
 * Write cfg's action settings and audiences into the warehouse, in one
 * transaction: etl.setting 'care_steps' and 'at_risk_segments'; one etl.audience
 * row per audience (changed rows get a new updated_at), and the audiences no
 * longer configured deleted. Lists are stored with the blanks around their items
 * trimmed, min_paid in fen. Call outside a transaction. A warehouse whose schema
 * predates the action lists is left alone with a warning (siyu migrate writes
 * them). 0, or -1 after an error line in the log (rolled back).
 */
int actions_config_sync(PGconn *conn, const struct config *cfg);

#endif /* SIYU_LOAD_ACTIONS_H */
