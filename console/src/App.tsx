// Who is logged in decides what shows: the log-in form, or the back office
// with the pages their role may see (the server checks every request anyway).
import { lazy, ReactElement, ReactNode, Suspense, useEffect, useState } from 'react';
import { Spin } from 'antd';
import {
  ApartmentOutlined, ApiOutlined, AuditOutlined, CalendarOutlined, CloudUploadOutlined, ControlOutlined, CustomerServiceOutlined,
  DashboardOutlined, DeploymentUnitOutlined, DesktopOutlined, FileDoneOutlined, RocketOutlined, SafetyOutlined,
  SlidersOutlined, TeamOutlined,
} from '@ant-design/icons';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, ApiError, Me, onSessionLost, setCsrf } from './api';
import { can, Capability } from './access';
import { setLang } from './i18n';
import AppShell from './layout/AppShell';
import Login from './pages/login/Login';
// Pages load on first visit, so the log-in form does not wait for the charts.
const Overview = lazy(() => import('./pages/overview/Overview'));
const TerminalList = lazy(() => import('./pages/terminals/TerminalList'));
const TerminalDetail = lazy(() => import('./pages/terminals/TerminalDetail'));
const PolicyPage = lazy(() => import('./pages/policy/PolicyPage'));
const Releases = lazy(() => import('./pages/releases/Releases'));
const Deployments = lazy(() => import('./pages/deployments/Deployments'));
const Rollouts = lazy(() => import('./pages/rollouts/Rollouts'));
const RolloutDetail = lazy(() => import('./pages/rollouts/RolloutDetail'));
const Freezes = lazy(() => import('./pages/freezes/Freezes'));
const Organisations = lazy(() => import('./pages/organisations/Organisations'));
const Parameters = lazy(() => import('./pages/parameters/Parameters'));
const Webhooks = lazy(() => import('./pages/webhooks/Webhooks'));
const SupportDesk = lazy(() => import('./pages/support/SupportDesk'));
const AuditLog = lazy(() => import('./pages/audit/AuditLog'));
const Users = lazy(() => import('./pages/users/Users'));
const Applications = lazy(() => import('./pages/applications/Applications'));
const TotpSetup = lazy(() => import('./pages/login/TotpSetup'));
// The public pages of applying for a terminal: no log-in.
const ApplyPage = lazy(() => import('./pages/apply/ApplyPage'));
const StatusPage = lazy(() => import('./pages/apply/StatusPage'));

// Each page: its path, its menu icon, what a role needs to see it, how it is drawn, and whether
// it keeps to the caller's subtree (shown to a reseller's or merchant's user; the server refuses
// such a user the others).
const PAGES: { path: string; nav: string; icon: ReactNode; needs: Capability; page: (me: Me) => ReactElement;
  subtree?: boolean }[] = [
  { path: '/overview', nav: 'nav_overview', icon: <DashboardOutlined />, needs: 'read', page: (me) => <Overview me={me} />,
    subtree: true },
  { path: '/terminals', nav: 'nav_terminals', icon: <DesktopOutlined />, needs: 'read', page: (me) => <TerminalList me={me} />,
    subtree: true },
  { path: '/policy', nav: 'nav_policy', icon: <ControlOutlined />, needs: 'read', page: (me) => <PolicyPage me={me} />,
    subtree: true },
  { path: '/releases', nav: 'nav_releases', icon: <CloudUploadOutlined />, needs: 'read', page: (me) => <Releases me={me} />,
    subtree: true },
  { path: '/deployments', nav: 'nav_deployments', icon: <RocketOutlined />, needs: 'read',
    page: (me) => <Deployments me={me} />, subtree: true },
  { path: '/rollouts', nav: 'nav_rollouts', icon: <DeploymentUnitOutlined />, needs: 'read', page: (me) => <Rollouts me={me} />,
    subtree: true },
  { path: '/freezes', nav: 'nav_freezes', icon: <CalendarOutlined />, needs: 'read', page: (me) => <Freezes me={me} /> },
  { path: '/organisations', nav: 'nav_organisations', icon: <ApartmentOutlined />, needs: 'read',
    page: (me) => <Organisations me={me} />, subtree: true },
  { path: '/parameters', nav: 'nav_parameters', icon: <SlidersOutlined />, needs: 'read', page: (me) => <Parameters me={me} />,
    subtree: true },
  { path: '/support', nav: 'nav_support', icon: <CustomerServiceOutlined />, needs: 'support',
    page: (me) => <SupportDesk me={me} />, subtree: true },
  { path: '/audit', nav: 'nav_audit', icon: <AuditOutlined />, needs: 'audit', page: (me) => <AuditLog me={me} />,
    subtree: true },
  { path: '/webhooks', nav: 'nav_webhooks', icon: <ApiOutlined />, needs: 'admin', page: (me) => <Webhooks me={me} /> },
  { path: '/users', nav: 'nav_users', icon: <TeamOutlined />, needs: 'admin', page: (me) => <Users me={me} />,
    subtree: true },
  { path: '/applications', nav: 'nav_applications', icon: <FileDoneOutlined />, needs: 'onboard',
    page: (me) => <Applications me={me} />, subtree: true },
  { path: '/account', nav: 'nav_account', icon: <SafetyOutlined />, needs: 'read',
    page: (me) => <TotpSetup me={me} onDone={() => undefined} />, subtree: true },
];

export default function App() {
  const { i18n } = useTranslation();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  // The session ended under a logged-in user: the log-in form says so, and
  // the address stays, so logging in again returns to the same page.
  const [expired, setExpired] = useState(false);
  const location = useLocation();
  const navigate = useNavigate();

  useEffect(() => {
    api<Me>('GET', '/session')
      .then((m) => {
        setCsrf(m.csrf ?? '');
        setMe(m);
      })
      .catch(() => setMe(null));
    // A request answered 401 means the session ended (expired or logged out elsewhere).
    onSessionLost(() => {
      setExpired(true);
      setMe(null);
    });
  }, []);

  // Each move to another page confirms the session, so an expired one shows
  // the log-in form at once rather than on the page's first failed request.
  const loggedIn = !!me;
  useEffect(() => {
    if (!loggedIn) return;
    api<Me>('GET', '/session')
      .then((m) => {
        // The fleet now requires TOTP of administrators: show the set-up.
        if (m.totp_enrol_required) setMe(m);
      })
      .catch((e) => {
        if (!(e instanceof ApiError && e.status === 401)) return;
        setExpired(true);
        setMe(null);
      });
  }, [location.pathname, loggedIn]);

  const logout = async () => {
    await api('DELETE', '/session').catch(() => undefined);
    setCsrf('');
    setExpired(false);
    setMe(null);
  };
  const toggleLang = () => setLang(i18n.language === 'en' ? 'zh-CN' : 'en');

  // Applicants need no account: the public pages show whatever the session.
  if (location.pathname === '/apply' || location.pathname.startsWith('/apply/'))
    return (
      <Suspense fallback={<Spin style={{ margin: 64 }} data-testid="loading" />}>
        <Routes>
          <Route path="/apply" element={<ApplyPage />} />
          <Route path="/apply/status" element={<StatusPage />} />
          <Route path="*" element={<Navigate to="/apply" replace />} />
        </Routes>
      </Suspense>
    );
  if (me === undefined) return <Spin style={{ margin: 64 }} />;
  if (me === null)
    return (
      <Login
        expired={expired}
        onLogin={(m) => {
          setExpired(false);
          setMe(m);
        }}
        onToggleLang={toggleLang}
      />
    );
  // The fleet requires administrators to use TOTP: nothing else until it is set up.
  if (me.totp_enrol_required)
    return (
      <Suspense fallback={<Spin style={{ margin: 64 }} />}>
        <TotpSetup
          me={me}
          required
          onLogout={logout}
          onDone={() => api<Me>('GET', '/session').then(setMe).catch(() => setMe(null))}
        />
      </Suspense>
    );
  const pages = PAGES.filter((p) => can(me.role, p.needs) && (me.whole_tree !== false || p.subtree));
  const current = pages.find((p) => location.pathname.startsWith(p.path))?.path ?? '';
  return (
    <AppShell me={me} items={pages} current={current} onNavigate={navigate} onToggleLang={toggleLang} onLogout={logout}>
      <Suspense fallback={<Spin data-testid="loading" />}>
        <Routes>
          {pages.map((p) => (
            <Route key={p.path} path={p.path} element={p.page(me)} />
          ))}
          {can(me.role, 'read') && <Route path="/terminals/:serial" element={<TerminalDetail me={me} />} />}
          {can(me.role, 'read') && <Route path="/rollouts/:id" element={<RolloutDetail me={me} />} />}
          <Route path="*" element={<Navigate to={pages[0]?.path ?? '/overview'} replace />} />
        </Routes>
      </Suspense>
    </AppShell>
  );
}
