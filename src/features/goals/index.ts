export { goalKeys } from './api/keys';
export { useGoals } from './api/get-goals';
export { useCreateGoal } from './api/create-goal';
export { AddGoalForm } from './components/add-goal-form';
