// Public surface of notifications for the staff screens.
export { SeekerDeliveryNotice } from './components/seeker-delivery-notice';
