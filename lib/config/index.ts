export { ALLOWED_REGIONS, LOG_RETENTION_DAYS } from './regions';
export { stageSchema, type StageInput } from './schema';
export {
  blocklistLocations,
  blocklistParameter,
  physicalNames,
  threatResponseRoleName,
} from './names';
export { ConfigError, loadStageConfigs, type StageConfig } from './stage-config';
