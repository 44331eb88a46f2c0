import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** The connector a workflow belongs to. */
export const CONNECTOR_ID = defineSearchAttributeKey('ConnectorId', SearchAttributeType.KEYWORD);
/** The connector's current status (see ConnectorStatus). */
export const CONNECTOR_STATUS = defineSearchAttributeKey('ConnectorStatus', SearchAttributeType.KEYWORD);
/** The Box enterprise the connector is authorized for. */
export const BOX_ENTERPRISE_ID = defineSearchAttributeKey('BoxEnterpriseId', SearchAttributeType.KEYWORD);

/** Custom search attributes the Temporal server must know (name -> CLI type). */
export const CUSTOM_SEARCH_ATTRIBUTES = {
  ConnectorId: 'Keyword',
  ConnectorStatus: 'Keyword',
  BoxEnterpriseId: 'Keyword',
} as const;
