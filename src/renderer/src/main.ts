// Renderer entry: pick the transport, install the API client and pinia, route events to the stores, mount.
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { installApi, selectTransport } from './api/api';
import { connectEvents } from './stores/events';
import './styles.css';

const transport = selectTransport(window);
const api = installApi(transport);
const app = createApp(App);
app.use(createPinia());
connectEvents(api, transport);
app.mount('#app');
