import { main } from './task-main';

// The container's command: the process ends with the run's exit code, which ECS records.
void main().then((code) => {
  process.exitCode = code;
});
